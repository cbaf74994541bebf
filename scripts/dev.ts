/** `pnpm dev`: the local stack. Until it lands, says what is missing and synthesizes the app. */
console.log('The local stack (pnpm dev) is not built yet; run "pnpm synth" to build the CDK app.');
process.exitCode = 1;
