/** `pnpm revbot`: the RevBot command line. */
console.log('usage: pnpm revbot <command>  (no commands yet)');
process.exitCode = 1;
