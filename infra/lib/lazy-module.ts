/**
 * Packages a Lambda imports only on first use, bundled into `<asset>/node_modules/<name>/` as a
 * file of their own instead of into the handler: a cold start then compiles only the handler,
 * and the package when an event first needs it. The Slack handler uses it for `@slack/web-api`
 * (mime-db with it): most cold invocations (Slack retries, ignored events, clicks)
 * never call Slack.
 *
 * Run by `RevbotFunction`'s after-bundling hook (`node --import tsx lazy-module.ts <name> <dir>`)
 * and by the Slack benchmark, so both measure the same layout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

/** The packages that may be lazy, and the exports a lazy copy keeps. */
export const LAZY_MODULES = {
  '@slack/web-api': ['WebClient'],
} as const satisfies Record<string, readonly string[]>;
export type LazyModule = keyof typeof LAZY_MODULES;

/** ESM bundles still meet CommonJS dependencies that call require(): give them one. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __revbotCreateRequire } from 'node:module'; const require = __revbotCreateRequire(import.meta.url);";

/** Prefer a package's ESM build; `RevbotFunction` bundles with the same fields. */
export const BUNDLE_MAIN_FIELDS = ['module', 'main'];

/**
 * The esbuild options every RevBot Lambda bundle shares (what `RevbotFunction` asks of the CDK's
 * esbuild), for a lazy package here and for the benchmark's like-for-like handler bundles.
 */
export const LAMBDA_ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: BUNDLE_MAIN_FIELDS,
  banner: { js: ESM_REQUIRE_BANNER },
  logLevel: 'error',
} as const satisfies BuildOptions;

const here = path.dirname(fileURLToPath(import.meta.url));
const LAMBDAS_DIR = path.resolve(here, '../../lambdas');

/** Bundles `name` into `<outputDir>/node_modules/<name>/index.mjs`; returns its size in bytes. */
export async function bundleLazyModule(name: LazyModule, outputDir: string): Promise<number> {
  const target = path.join(outputDir, 'node_modules', name);
  mkdirSync(target, { recursive: true });
  // Named exports spelled out: the package is CommonJS, whose names an ESM bundle cannot re-export.
  const names = LAZY_MODULES[name];
  const result = await build({
    stdin: {
      contents: `import * as lazy from '${name}';\n${names.map((n) => `export const ${n} = lazy.${n};`).join('\n')}\n`,
      resolveDir: LAMBDAS_DIR,
      loader: 'js',
    },
    outfile: path.join(target, 'index.mjs'),
    ...LAMBDA_ESBUILD_OPTIONS,
    metafile: true,
  });
  writeFileSync(
    path.join(target, 'package.json'),
    `${JSON.stringify({ name, type: 'module', main: 'index.mjs', exports: './index.mjs' })}\n`,
  );
  return Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
}

// `node --import tsx lazy-module.ts <name> <outputDir>`: the after-bundling hook.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [name, outputDir] = process.argv.slice(2);
  if (!name || !outputDir || !(name in LAZY_MODULES)) {
    console.error(`usage: lazy-module.ts <${Object.keys(LAZY_MODULES).join('|')}> <outputDir>`);
    process.exit(2);
  }
  await bundleLazyModule(name as LazyModule, outputDir);
}
