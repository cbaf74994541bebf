/**
 * The layout rules a newcomer relies on, checked so they stay true: a route's folder, its core
 * file and its test share one name; a tool's folder carries the tool's name and holds its handler
 * and core, its model-facing schema sits at the same name in agents/src/tools/, and its tests at
 * the same name under lambdas/tests/tools/; tests mirror their package's source tree; every
 * package exports a deliberate surface, never "./*".
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { TOOLS } from '@revbot/agents';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const at = (...parts: string[]) => path.join(root, ...parts);
const PACKAGES = ['agents', 'cli', 'core', 'infra', 'lambdas', 'monitoring', 'testing'];

/** Folders under `lambdas/` that are Lambda routes: they hold a `handler.ts`. */
const routes = readdirSync(at('lambdas')).filter((name) =>
  existsSync(at('lambdas', name, 'handler.ts')),
);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('one name runs through a route', () => {
  it('finds the five routes', () => {
    expect(routes.sort()).toEqual([
      'slack-handler',
      'slack-processor',
      'webhook-delivery',
      'webhook-gateway',
      'webhook-processor',
    ]);
  });

  it.each(routes)('%s: its core and its test carry the folder name', (route) => {
    expect(existsSync(at('lambdas', route, `${route}.ts`)), `lambdas/${route}/${route}.ts`).toBe(
      true,
    );
    expect(
      existsSync(at('lambdas/tests', route, `${route}.test.ts`)),
      `lambdas/tests/${route}/${route}.test.ts`,
    ).toBe(true);
  });
});

describe('one name runs through a tool', () => {
  it.each(Object.values(TOOLS).map((tool) => [tool.name, tool.lambdaDir]))(
    '%s lives in lambdas/tools/%s with its schema, core, handler and tests',
    (name, dir) => {
      expect(dir).toBe(name.replaceAll('_', '-'));
      for (const file of [
        `lambdas/tools/${dir}/handler.ts`,
        `lambdas/tools/${dir}/${dir}.ts`,
        `agents/src/tools/${dir}.ts`,
        `lambdas/tests/tools/${dir}/${dir}.test.ts`,
      ]) {
        expect(existsSync(at(file)), file).toBe(true);
      }
    },
  );
});

describe('tests mirror their source tree', () => {
  /** Where the sources of a package are: `src/` or, for lambdas and infra, the package itself. */
  const sourceRoot = (pkg: string) => (existsSync(at(pkg, 'src')) ? at(pkg, 'src') : at(pkg));

  it.each(PACKAGES)('%s: every test folder names a source folder', (pkg) => {
    if (!existsSync(at(pkg, 'tests'))) return;
    const misplaced = filesUnder(at(pkg, 'tests'))
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => path.relative(at(pkg, 'tests'), path.dirname(file)))
      .filter((dir) => dir !== '' && !existsSync(path.join(sourceRoot(pkg), dir)));
    expect(misplaced).toEqual([]);
  });
});

describe('packages export a deliberate surface', () => {
  it.each(PACKAGES)('%s exports no "./*" and only files that exist', (pkg) => {
    const manifest = JSON.parse(readFileSync(at(pkg, 'package.json'), 'utf8')) as {
      exports?: Record<string, string>;
    };
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      expect(subpath, `${pkg} exports ${subpath}`).not.toContain('*');
      expect(existsSync(at(pkg, target)), `${pkg}: ${subpath} → ${target}`).toBe(true);
    }
  });
});
