import { loadWarehouseSchema } from '@revbot/agents/knowledge-base';
import { describe, expect, it } from 'vitest';
import { WAREHOUSE_TABLES } from '../../../shared/warehouse/warehouse-tables';

describe('the tables the read-only guard accepts by default', () => {
  it('are exactly the documented warehouse schema, columns in order', () => {
    const documented = loadWarehouseSchema().map((table) => ({
      name: table.name,
      columns: table.columns.map((column) => ({ name: column.name })),
    }));
    const asSource = documented
      .map((t) => `  ${t.name}: [${t.columns.map((c) => `'${c.name}'`).join(', ')}],`)
      .join('\n');
    expect(
      WAREHOUSE_TABLES,
      `knowledge_base/firebolt_schema/ changed; set COLUMNS in lambdas/shared/warehouse/warehouse-tables.ts to:\n${asSource}`,
    ).toEqual(documented);
  });
});
