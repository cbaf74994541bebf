/**
 * The revenue warehouse: one interface, a Firebolt and an embedded DuckDB implementation, the
 * shared read-only guard, the documented schema and the SQL patterns. Lambdas import the
 * Firebolt module directly so the embedded one (and DuckDB) never enters their bundle.
 */
export * from './errors';
export * from './read-only-guard';
export * from './sql-patterns';
export * from './types';
export * from './warehouse-schema';
