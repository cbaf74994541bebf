/**
 * The functions a warehouse query may call, in one table: aggregates, window, conditional, math,
 * string and date/time functions, each marked with the dialects that have it. Everything else is
 * refused, so a function that reads files, URLs, settings or the environment, or runs SQL from a
 * string, cannot be reached by any spelling. A function is listed for both dialects only when
 * DuckDB (the embedded warehouse) and Firebolt (production) both have it under that name (the
 * semantics may still differ: `contains` takes a string in DuckDB and an array in Firebolt).
 */

export type SqlDialect = 'duckdb' | 'firebolt';

type Availability = 'both' | SqlDialect;

/** Name (lower case) → where it exists. */
export const ALLOWED_FUNCTIONS: Readonly<Record<string, Availability>> = {
  // Aggregates
  count: 'both',
  sum: 'both',
  avg: 'both',
  min: 'both',
  max: 'both',
  any_value: 'both',
  array_agg: 'both',
  bool_and: 'both',
  bool_or: 'both',
  max_by: 'both',
  min_by: 'both',
  median: 'both',
  percentile_cont: 'both',
  percentile_disc: 'both',
  stddev: 'both',
  stddev_pop: 'both',
  stddev_samp: 'both',
  variance: 'both',
  var_pop: 'both',
  var_samp: 'both',
  approx_count_distinct: 'duckdb',
  arg_max: 'duckdb',
  arg_min: 'duckdb',
  count_if: 'duckdb',
  mode: 'duckdb',
  quantile_cont: 'duckdb',
  string_agg: 'duckdb',
  hll_count_distinct: 'firebolt',
  approx_percentile: 'firebolt',
  // Window functions
  row_number: 'both',
  rank: 'both',
  dense_rank: 'both',
  percent_rank: 'both',
  cume_dist: 'both',
  ntile: 'both',
  lag: 'both',
  lead: 'both',
  first_value: 'both',
  last_value: 'both',
  nth_value: 'both',
  // Conditional
  coalesce: 'both',
  nullif: 'both',
  ifnull: 'both',
  if: 'both',
  greatest: 'both',
  least: 'both',
  zeroifnull: 'firebolt',
  // Math
  abs: 'both',
  round: 'both',
  floor: 'both',
  ceil: 'both',
  ceiling: 'both',
  trunc: 'both',
  sqrt: 'both',
  cbrt: 'both',
  power: 'both',
  pow: 'both',
  exp: 'both',
  ln: 'both',
  log: 'both',
  log10: 'both',
  mod: 'both',
  sign: 'both',
  random: 'both',
  // String
  lower: 'both',
  upper: 'both',
  length: 'both',
  trim: 'both',
  ltrim: 'both',
  rtrim: 'both',
  btrim: 'both',
  substring: 'both',
  substr: 'both',
  concat: 'both',
  replace: 'both',
  lpad: 'both',
  rpad: 'both',
  strpos: 'both',
  split_part: 'both',
  regexp_replace: 'both',
  starts_with: 'both',
  ends_with: 'both',
  reverse: 'both',
  repeat: 'both',
  md5: 'both',
  array_to_string: 'both',
  contains: 'both',
  regexp_matches: 'both',
  left: 'duckdb',
  right: 'duckdb',
  regexp_extract: 'duckdb',
  string_split: 'duckdb',
  strftime: 'duckdb',
  strptime: 'duckdb',
  regexp_like: 'firebolt',
  to_char: 'firebolt',
  // Date and time
  date_trunc: 'both',
  date_diff: 'both',
  date_add: 'both',
  date_part: 'both',
  to_timestamp: 'both',
  current_date: 'both',
  current_timestamp: 'both',
  now: 'both',
  datediff: 'duckdb',
  date_sub: 'duckdb',
  make_date: 'duckdb',
  last_day: 'duckdb',
  year: 'duckdb',
  quarter: 'duckdb',
  month: 'duckdb',
  week: 'duckdb',
  day: 'duckdb',
  dayofweek: 'duckdb',
  to_date: 'firebolt',
  date_format: 'firebolt',
};

/**
 * Functions known to read files, URLs, other databases, settings or the environment, or to run
 * SQL given as text; named in the refusal so the model does not try another spelling.
 */
const OUTSIDE_READERS =
  /^(read_\w+|\w+_scan|glob|query|query_table|getenv|list_objects|sniff_csv|load_aws_credentials|which_secret|duckdb_\w+|json_execute_serialized_sql|current_setting|parquet_\w+|iceberg_\w+|delta_\w+|sqlite_\w+|postgres_\w+|mysql_\w+|http_\w+|system)$/i;

function availabilityOf(name: string): Availability | undefined {
  const lower = name.toLowerCase();
  return Object.hasOwn(ALLOWED_FUNCTIONS, lower) ? ALLOWED_FUNCTIONS[lower] : undefined;
}

export function isAllowedFunction(name: string, dialect: SqlDialect): boolean {
  const availability = availabilityOf(name);
  return availability === 'both' || availability === dialect;
}

/** The refusal for a function outside the allowlist, written for the model. */
export function functionRefusal(name: string, dialect: SqlDialect): string {
  const lower = name.toLowerCase();
  if (OUTSIDE_READERS.test(lower)) {
    return `the function ${lower}() reads outside the warehouse and is not allowed`;
  }
  const allowed = Object.keys(ALLOWED_FUNCTIONS)
    .filter((f) => isAllowedFunction(f, dialect))
    .join(', ');
  const other = availabilityOf(lower);
  const where = other ? ` in ${dialect === 'duckdb' ? 'DuckDB' : 'Firebolt'}` : '';
  return `Function ${lower} is not allowed${where}; the functions a query may call are: ${allowed}`;
}
