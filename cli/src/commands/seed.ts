/** `revbot seed`: rebuilds the embedded warehouse from the documented schema and sample data. */

import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEmbeddedWarehouse, generateRevenueDataset } from '@revbot/lambdas/warehouse';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { saveSeededAsOf } from '../local/warehouse-settings';

export const seedCommand: Command = {
  name: 'seed',
  summary: 'rebuild the embedded warehouse and pin the day its sample data is as of',
  usage: `usage: revbot seed [--as-of YYYY-MM-DD] [--data-dir .revbot] [--json]

Creates the embedded warehouse (DuckDB) from knowledge_base/firebolt_schema/, seeds it with
the deterministic sample revenue data as of the given day (default today), checks every
table, and records the day in <data-dir>/warehouse.json: pnpm dev and revbot ask then start
from the same data every day (REVBOT_DATA_AS_OF still overrides it). Writes made through the
warehouse tools live only as long as the process that made them.`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        'as-of': { type: 'string', default: new Date().toISOString().slice(0, 10) },
        'data-dir': { type: 'string', default: io.env.REVBOT_DATA_DIR ?? '.revbot' },
        json: { type: 'boolean', default: false },
      },
    });
    const asOf = values['as-of'];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) {
      throw new UsageError(`--as-of must be a date, YYYY-MM-DD (got "${asOf}")`);
    }
    const started = performance.now();
    const dataset = generateRevenueDataset({ asOf });
    const warehouse = await createEmbeddedWarehouse({ seed: dataset });
    try {
      const counts: Record<string, number> = {};
      for (const table of warehouse.schema) {
        const result = await warehouse.query(`SELECT COUNT(*) AS n FROM ${table.name}`, {
          maxRows: 1,
          timeoutMs: 10_000,
        });
        counts[table.name] = Number(result.rows[0]?.[0] ?? 0);
      }
      const file = await saveSeededAsOf(path.resolve(io.cwd, values['data-dir']), asOf);
      const ms = Math.round(performance.now() - started);
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ as_of: asOf, tables: counts, settings: file, ms }, null, 2)}\n`,
        );
        return 0;
      }
      io.stdout.write(`embedded warehouse seeded as of ${asOf} in ${ms} ms\n\n`);
      const width = Math.max(...Object.keys(counts).map((name) => name.length));
      for (const [name, count] of Object.entries(counts)) {
        io.stdout.write(`  ${name.padEnd(width)}  ${String(count).padStart(6)} rows\n`);
      }
      io.stdout.write(`\npinned in ${file}\n`);
      return 0;
    } finally {
      await warehouse.close();
    }
  },
};
