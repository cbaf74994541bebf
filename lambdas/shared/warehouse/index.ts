/**
 * The revenue warehouse behind the Data agent's tools: Firebolt in AWS, an embedded DuckDB seeded
 * with sample revenue data everywhere else, and the read-only guard every query passes. Lambdas
 * import the Firebolt module directly so the embedded one (and DuckDB) never enters their bundle.
 */
export { createEmbeddedWarehouse, type EmbeddedWarehouse } from './duckdb-warehouse';
export * from './errors';
export * from './read-only-guard';
export {
  type GongCallDetail,
  generateRevenueDataset,
  type RevenueDataset,
  SEED_TABLES,
} from './seed/revenue-dataset';
export * from './types';
