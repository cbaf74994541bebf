/**
 * The allowlist half of the read-only guard: a small recursive-descent parser for the SELECT
 * subset the warehouse needs (WITH, joins, subqueries, WHERE, GROUP BY, HAVING, QUALIFY, ORDER BY,
 * LIMIT/OFFSET, set operations, CASE, CAST and `::`, window functions, INTERVAL and date
 * literals). Anything it cannot read is refused, and what it reads must name only tables of the
 * documented warehouse schema or CTEs, only columns those have, and only allowlisted functions.
 * A denylist misses spellings (quoted or schema-qualified function names, tables given as
 * strings or quoted paths); an allowlist has nothing to spell around.
 */
import { UnsafeSqlError } from './errors';
import { functionRefusal, isAllowedFunction, type SqlDialect } from './sql-functions';
import type { SqlToken } from './sql-lexer';
import { unquoteIdentifier } from './sql-lexer';

/** A table the query may read: the documented schema's shape (`TableSchema` fits). */
export interface GuardTable {
  name: string;
  columns: readonly { name: string }[];
}

export interface AllowedSelectOptions {
  dialect: SqlDialect;
  tables: readonly GuardTable[];
}

/** Deepest nesting of parentheses, subqueries and expressions read before refusing. */
export const MAX_NESTING = 64;

/** Words that end an expression or table reference, so they are never taken for an alias. */
const RESERVED = new Set(
  `ALL AND ANY AS ASC BETWEEN BY CASE CAST CROSS CURRENT DESC DISTINCT ELSE END ESCAPE EXCEPT
  EXISTS FALSE FETCH FILTER FOLLOWING FROM FULL GROUP HAVING ILIKE IN INNER INTERSECT INTERVAL IS
  JOIN LATERAL LEFT LIKE LIMIT NATURAL NOT NULL NULLS OFFSET ON OR ORDER OUTER OVER PARTITION
  PRECEDING QUALIFY RANGE RIGHT ROWS SELECT THEN TRUE UNBOUNDED UNION USING WHEN WHERE WINDOW WITH
  WITHIN`.split(/\s+/),
);

const TYPES = new Set(
  `BIGINT BOOL BOOLEAN DATE DECIMAL DOUBLE FLOAT FLOAT4 FLOAT8 INT INT4 INT8 INTEGER INTERVAL
  NUMERIC REAL SMALLINT STRING TEXT TIME TIMESTAMP TIMESTAMPTZ VARCHAR`.split(/\s+/),
);

const DATE_PARTS = new Set(
  `CENTURY DAY DAYS DECADE DOW DOY EPOCH HOUR HOURS ISODOW ISOYEAR MICROSECOND MICROSECONDS
  MILLENNIUM MILLISECOND MILLISECONDS MINUTE MINUTES MONTH MONTHS QUARTER QUARTERS SECOND SECONDS
  WEEK WEEKS YEAR YEARS`.split(/\s+/),
);

const COMPARISONS = new Set(['=', '<', '>', '<=', '>=', '<>', '!=']);
const PATTERN_WORDS = new Set(['BETWEEN', 'IN', 'LIKE', 'ILIKE']);
const ADDITIVE = new Set(['+', '-', '||']);
const MULTIPLICATIVE = new Set(['*', '/', '%']);

/** Something rows come from in one SELECT: a table, a CTE or a subquery, by alias. */
interface Source {
  /** Alias, or the table's own name (lower case). */
  name: string;
  /** For messages: `accounts a`. */
  label: string;
  columns: readonly string[];
}

type SelectItem = { star: true; qualifier?: string } | { star: false; name?: string };

interface ColumnRef {
  qualifier?: string;
  name: string;
  /** The SELECT it was written in, to name that SELECT's tables if it resolves nowhere. */
  origin: Scope;
}

/** One SELECT: its sources, output items and aliases, and references still to check. */
interface Scope {
  parent?: Scope;
  sources: Source[];
  items: SelectItem[];
  aliases: Set<string>;
  pending: ColumnRef[];
}

/** Throws UnsafeSqlError unless the tokens are one allowed SELECT over the warehouse tables. */
export function assertAllowedSelect(tokens: readonly SqlToken[], options: AllowedSelectOptions) {
  new SelectChecker(tokens, options).check();
}

const tableIndexes = new WeakMap<readonly GuardTable[], Map<string, readonly string[]>>();

function indexTables(tables: readonly GuardTable[]): Map<string, readonly string[]> {
  let index = tableIndexes.get(tables);
  if (!index) {
    index = new Map(
      tables.map((t) => [t.name.toLowerCase(), t.columns.map((c) => c.name.toLowerCase())]),
    );
    tableIndexes.set(tables, index);
  }
  return index;
}

class SelectChecker {
  private i = 0;
  private depth = 0;
  private readonly tables: Map<string, readonly string[]>;
  /** CTEs visible at this point, innermost WITH last. */
  private readonly ctes: Map<string, readonly string[]>[] = [];
  private scope?: Scope;
  /** Each token's text in upper case if it is a word, else '' (keywords are compared often). */
  private readonly words: readonly string[];

  constructor(
    private readonly tokens: readonly SqlToken[],
    private readonly options: AllowedSelectOptions,
  ) {
    this.tables = indexTables(options.tables);
    this.words = tokens.map((t) => (t.kind === 'word' ? t.text.toUpperCase() : ''));
  }

  check(): void {
    this.parseQuery(undefined);
    const rest = this.peek();
    if (rest) this.unexpected();
  }

  // ── Queries ────────────────────────────────────────────────────────────────

  /** `[WITH …] select [set-op select]… [ORDER BY …] [LIMIT …] [OFFSET …]`; returns its columns. */
  private parseQuery(parent: Scope | undefined): readonly string[] {
    this.enter();
    const withCtes = this.isWord('WITH');
    if (withCtes) this.parseWith(parent);

    const cores = [this.parseSelectCore(parent)];
    while (this.isWord('UNION') || this.isWord('INTERSECT') || this.isWord('EXCEPT')) {
      this.i++;
      if (!this.acceptWord('ALL')) this.acceptWord('DISTINCT');
      cores.push(this.parseSelectCore(parent));
    }

    const first = cores[0] as Scope;
    let orderScope: Scope;
    if (cores.length === 1) {
      orderScope = first;
    } else {
      for (const core of cores) this.finish(core);
      const outputs = this.outputs(first);
      orderScope = {
        parent,
        sources: [{ name: '', label: 'the combined query', columns: outputs }],
        items: [],
        aliases: new Set(),
        pending: [],
      };
    }
    this.withScope(orderScope, () => {
      if (this.acceptWords('ORDER', 'BY')) this.parseOrderList();
      this.parseLimits();
    });
    this.finish(orderScope);
    const columns = cores.length === 1 ? this.outputs(first) : orderScope.sources[0]?.columns;

    if (withCtes) this.ctes.pop();
    this.leave();
    return columns ?? [];
  }

  private parseWith(parent: Scope | undefined): void {
    this.i++;
    if (this.isWord('RECURSIVE')) this.fail('WITH RECURSIVE is not allowed; write plain CTEs');
    const visible = new Map<string, readonly string[]>();
    this.ctes.push(visible);
    do {
      const name = this.parseName('a CTE name');
      let names: string[] | undefined;
      if (this.acceptSymbol('(')) {
        names = [];
        do names.push(this.parseName('a column name'));
        while (this.acceptSymbol(','));
        this.expectSymbol(')');
      }
      this.expectWord('AS');
      if (!this.acceptWord('MATERIALIZED') && this.acceptWord('NOT'))
        this.expectWord('MATERIALIZED');
      this.expectSymbol('(');
      const columns = this.parseQuery(parent);
      this.expectSymbol(')');
      visible.set(name, names ?? columns);
    } while (this.acceptSymbol(','));
  }

  private parseSelectCore(parent: Scope | undefined): Scope {
    this.expectWord('SELECT');
    const scope: Scope = { parent, sources: [], items: [], aliases: new Set(), pending: [] };
    this.withScope(scope, () => {
      if (this.acceptWord('DISTINCT')) {
        if (this.acceptWord('ON')) {
          this.expectSymbol('(');
          this.parseExpressionList();
          this.expectSymbol(')');
        }
      } else {
        this.acceptWord('ALL');
      }
      do this.parseSelectItem(scope);
      while (this.acceptSymbol(','));

      if (this.acceptWord('FROM')) this.parseFrom(scope);
      if (this.acceptWord('WHERE')) this.parseExpression();
      if (this.acceptWords('GROUP', 'BY')) {
        if (!this.acceptWord('ALL')) this.parseExpressionList();
      }
      if (this.acceptWord('HAVING')) this.parseExpression();
      if (this.acceptWord('QUALIFY')) this.parseExpression();
    });
    return scope;
  }

  private parseSelectItem(scope: Scope): void {
    const token = this.peek();
    if (token?.text === '*') {
      this.i++;
      scope.items.push({ star: true });
      return;
    }
    if (
      (token?.kind === 'word' || token?.kind === 'identifier') &&
      this.peek(1)?.text === '.' &&
      this.peek(2)?.text === '*'
    ) {
      this.i += 3;
      scope.items.push({ star: true, qualifier: nameOf(token) });
      return;
    }
    const column = this.parseExpression();
    const alias = this.parseAlias();
    if (alias) scope.aliases.add(alias);
    scope.items.push({ star: false, name: alias ?? column });
  }

  /** `AS name` or a bare name that is not a keyword. */
  private parseAlias(): string | undefined {
    if (this.acceptWord('AS')) return this.parseName('an alias');
    const token = this.peek();
    if (token?.kind === 'identifier') return this.parseName('an alias');
    if (token?.kind === 'word' && !RESERVED.has(this.words[this.i] as string)) {
      return this.parseName('an alias');
    }
    return undefined;
  }

  private parseFrom(scope: Scope): void {
    this.parseTableRef(scope, 'FROM');
    for (;;) {
      if (this.acceptSymbol(',')) {
        this.parseTableRef(scope, '","');
        continue;
      }
      const natural = this.acceptWord('NATURAL');
      let cross = false;
      if (this.acceptWord('CROSS')) cross = true;
      else if (this.acceptWord('INNER')) {
        // plain join
      } else if (this.acceptWord('LEFT') || this.acceptWord('RIGHT') || this.acceptWord('FULL')) {
        this.acceptWord('OUTER');
      } else if (!this.isWord('JOIN')) {
        if (natural) this.fail('NATURAL must be followed by a JOIN');
        return;
      }
      this.expectWord('JOIN');
      this.parseTableRef(scope, 'JOIN');
      if (cross || natural) continue;
      if (this.acceptWord('ON')) {
        this.parseExpression();
      } else if (this.acceptWord('USING')) {
        this.expectSymbol('(');
        do {
          const name = this.parseName('a column name');
          scope.pending.push({ name, origin: scope });
        } while (this.acceptSymbol(','));
        this.expectSymbol(')');
      } else {
        this.fail('a JOIN needs ON <condition> or USING (<columns>)');
      }
    }
  }

  private parseTableRef(scope: Scope, after: string): void {
    const token = this.peek();
    if (!token) this.fail(`a table must follow ${after}`);
    if (token.kind === 'string') {
      this.fail(`tables must be named, not given as a string after ${after}`);
    }
    if (token.text === '(') {
      this.i++;
      if (!this.isWord('SELECT') && !this.isWord('WITH')) {
        this.fail(`only a subquery may stand in parentheses after ${after}`);
      }
      // A derived table cannot see its siblings, only the query around this SELECT.
      const columns = this.parseQuery(scope.parent);
      this.expectSymbol(')');
      const alias = this.parseAlias();
      scope.sources.push({
        name: alias ?? '',
        label: alias ? `subquery ${alias}` : 'a subquery',
        columns,
      });
      return;
    }
    if (token.kind === 'word' && token.text.toUpperCase() === 'LATERAL') {
      this.fail('LATERAL is not allowed; join a subquery instead');
    }
    if (token.kind !== 'word' && token.kind !== 'identifier') {
      this.fail(`a table name must follow ${after}, not ${show(token)}`);
    }
    const name = this.parseName('a table name');
    if (this.peek()?.text === '.') {
      const member = this.peek(1);
      const full = member ? `${name}.${nameOf(member)}` : name;
      if (this.peek(2)?.text === '(')
        this.fail(functionRefusal(nameOf(member), this.options.dialect));
      this.fail(
        `Table "${full}" is not in the warehouse schema; name a table without a schema prefix, one of: ${this.tableList()}`,
      );
    }
    if (this.peek()?.text === '(') this.fail(functionRefusal(name, this.options.dialect));
    const columns = this.lookupTable(name);
    const alias = this.parseAlias();
    scope.sources.push({
      name: alias ?? name,
      label: alias ? `${name} ${alias}` : name,
      columns,
    });
  }

  private lookupTable(name: string): readonly string[] {
    for (let k = this.ctes.length - 1; k >= 0; k--) {
      const columns = this.ctes[k]?.get(name);
      if (columns) return columns;
    }
    const columns = this.tables.get(name);
    if (!columns) {
      this.fail(`Table "${name}" is not in the warehouse schema; tables are: ${this.tableList()}`);
    }
    return columns;
  }

  private tableList(): string {
    return [...this.tables.keys()].join(', ');
  }

  private parseOrderList(): void {
    do {
      this.parseExpression();
      if (!this.acceptWord('ASC')) this.acceptWord('DESC');
      if (this.acceptWord('NULLS') && !this.acceptWord('FIRST')) this.expectWord('LAST');
    } while (this.acceptSymbol(','));
  }

  private parseLimits(): void {
    if (this.acceptWord('LIMIT') && !this.acceptWord('ALL')) this.expectNumber();
    if (this.acceptWord('OFFSET')) {
      this.expectNumber();
      if (!this.acceptWord('ROWS')) this.acceptWord('ROW');
    }
  }

  // ── Column references ─────────────────────────────────────────────────────

  /** Checks the SELECT's references once all its tables are known; passes outer ones up. */
  private finish(scope: Scope): void {
    for (const ref of scope.pending) {
      if (this.resolves(scope, ref)) continue;
      if (scope.parent) scope.parent.pending.push(ref);
      else this.failRef(ref);
    }
    scope.pending = [];
  }

  private resolves(scope: Scope, ref: ColumnRef): boolean {
    if (ref.qualifier === undefined) {
      return scope.aliases.has(ref.name) || scope.sources.some((s) => s.columns.includes(ref.name));
    }
    const source = scope.sources.find((s) => s.name === ref.qualifier);
    if (!source) return false;
    if (source.columns.includes(ref.name)) return true;
    this.fail(
      `Column "${ref.name}" is not in ${source.label}; its columns are: ${source.columns.join(', ')}`,
    );
  }

  private failRef(ref: ColumnRef): never {
    const sources = ref.origin.sources;
    if (ref.qualifier !== undefined) {
      const names = sources.map((s) => s.name).filter(Boolean);
      this.fail(
        `"${ref.qualifier}" is not a table or alias of this query${names.length ? `; use one of: ${names.join(', ')}` : ''}`,
      );
    }
    if (sources.length === 0) {
      this.fail(`Column "${ref.name}" has no table to come from; add FROM <table>`);
    }
    const described = sources.map((s) => `${s.label} (${s.columns.join(', ')})`).join('; ');
    this.fail(`Column "${ref.name}" is not in the tables of this query: ${described}`);
  }

  private outputs(scope: Scope): string[] {
    return scope.items.flatMap((item) => {
      if (!item.star) return item.name ? [item.name] : [];
      if (item.qualifier === undefined) return scope.sources.flatMap((s) => s.columns);
      const source = scope.sources.find((s) => s.name === item.qualifier);
      if (!source) this.fail(`"${item.qualifier}" is not a table or alias of this query`);
      return [...source.columns];
    });
  }

  // ── Expressions ───────────────────────────────────────────────────────────

  private parseExpressionList(): void {
    do this.parseExpression();
    while (this.acceptSymbol(','));
  }

  /** Parses an expression; returns the column name when it is a bare column reference. */
  private parseExpression(): string | undefined {
    this.enter();
    let column = this.parseAnd();
    while (this.acceptWord('OR')) {
      this.parseAnd();
      column = undefined;
    }
    this.leave();
    return column;
  }

  private parseAnd(): string | undefined {
    let column = this.parseNot();
    while (this.acceptWord('AND')) {
      this.parseNot();
      column = undefined;
    }
    return column;
  }

  private parseNot(): string | undefined {
    if (this.acceptWord('NOT')) {
      this.enter();
      this.parseNot();
      this.leave();
      return undefined;
    }
    return this.parseComparison();
  }

  private parseComparison(): string | undefined {
    let column = this.parseAdditive();
    for (;;) {
      const token = this.peek();
      if (token?.kind === 'symbol' && COMPARISONS.has(token.text)) {
        this.i++;
        if (this.acceptWord('ANY') || this.acceptWord('ALL') || this.acceptWord('SOME')) {
          this.parseParenthesizedQuery();
        } else {
          this.parseAdditive();
        }
      } else if (this.acceptWord('IS')) {
        this.acceptWord('NOT');
        if (this.acceptWord('DISTINCT')) {
          this.expectWord('FROM');
          this.parseAdditive();
        } else if (!this.acceptWord('NULL') && !this.acceptWord('TRUE')) {
          this.expectWord('FALSE');
        }
      } else if (this.isComparisonWord()) {
        this.acceptWord('NOT');
        if (this.acceptWord('BETWEEN')) {
          this.parseAdditive();
          this.expectWord('AND');
          this.parseAdditive();
        } else if (this.acceptWord('IN')) {
          this.expectSymbol('(');
          if (this.isWord('SELECT') || this.isWord('WITH')) this.parseQuery(this.scope);
          else this.parseExpressionList();
          this.expectSymbol(')');
        } else {
          this.i++; // LIKE or ILIKE
          this.parseAdditive();
          if (this.acceptWord('ESCAPE')) this.expectKind('string');
        }
      } else {
        return column;
      }
      column = undefined;
    }
  }

  /** `[NOT] BETWEEN | IN | LIKE | ILIKE` comes next. */
  private isComparisonWord(): boolean {
    const word = this.words[this.i + (this.isWord('NOT') ? 1 : 0)];
    return word !== undefined && PATTERN_WORDS.has(word);
  }

  private parseAdditive(): string | undefined {
    return this.parseBinary(ADDITIVE, () => this.parseMultiplicative());
  }

  private parseMultiplicative(): string | undefined {
    return this.parseBinary(MULTIPLICATIVE, () => this.parseUnary());
  }

  /** `operand (operator operand)*`, left to right. */
  private parseBinary(operators: ReadonlySet<string>, operand: () => string | undefined) {
    let column = operand();
    for (;;) {
      const token = this.peek();
      if (token?.kind !== 'symbol' || !operators.has(token.text)) return column;
      this.i++;
      operand();
      column = undefined;
    }
  }

  private parseUnary(): string | undefined {
    const token = this.peek();
    if (token?.kind === 'symbol' && (token.text === '-' || token.text === '+')) {
      this.i++;
      this.enter();
      this.parseUnary();
      this.leave();
      return undefined;
    }
    let column = this.parsePrimary();
    while (this.acceptSymbol('::')) {
      this.parseType();
      column = undefined;
    }
    return column;
  }

  private parsePrimary(): string | undefined {
    const token = this.peek();
    if (!token) this.fail('the query ends in the middle of an expression');
    if (token.kind === 'number' || token.kind === 'string') {
      if (token.kind === 'number' && !/^(\d+(\.\d*)?|\.\d+)([eE]\d+)?$/.test(token.text)) {
        this.fail(`${show(token)} is not a number`);
      }
      this.i++;
      return undefined;
    }
    if (token.text === '(') {
      this.i++;
      if (this.isWord('SELECT') || this.isWord('WITH')) this.parseQuery(this.scope);
      else this.parseExpression();
      this.expectSymbol(')');
      return undefined;
    }
    if (token.kind === 'identifier') return this.parseNameExpression();
    if (token.kind !== 'word') this.unexpected();

    const upper = this.words[this.i] as string;
    const next = this.peek(1);
    switch (upper) {
      case 'TRUE':
      case 'FALSE':
      case 'NULL':
        this.i++;
        return undefined;
      case 'CASE':
        this.parseCase();
        return undefined;
      case 'CAST':
      case 'TRY_CAST':
        this.i++;
        this.expectSymbol('(');
        this.parseExpression();
        this.expectWord('AS');
        this.parseType();
        this.expectSymbol(')');
        return undefined;
      case 'EXTRACT':
        this.i++;
        this.expectSymbol('(');
        this.parseDatePart();
        this.expectWord('FROM');
        this.parseExpression();
        this.expectSymbol(')');
        return undefined;
      case 'EXISTS':
        this.i++;
        this.parseParenthesizedQuery();
        return undefined;
      case 'INTERVAL':
        this.i++;
        this.parseInterval();
        return undefined;
      case 'CURRENT_DATE':
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
        if (next?.text !== '(') {
          this.i++;
          return undefined;
        }
        break;
      case 'DATE':
      case 'TIMESTAMP':
      case 'TIME':
        if (next?.kind === 'string') {
          this.i += 2;
          return undefined;
        }
        break;
    }
    if (RESERVED.has(upper)) this.unexpected();
    return this.parseNameExpression();
  }

  /** A column reference `[qualifier.]column`, or a function call. */
  private parseNameExpression(): string | undefined {
    const first = this.next() as SqlToken;
    if (this.peek()?.text === '(') {
      this.parseFunctionCall(first);
      return undefined;
    }
    if (this.peek()?.text !== '.') {
      const name = nameOf(first);
      this.reference({ name });
      return name;
    }
    this.i++;
    const second = this.peek();
    if (second?.kind !== 'word' && second?.kind !== 'identifier') {
      this.fail(`a column name must follow "${nameOf(first)}."`);
    }
    this.i++;
    if (this.peek()?.text === '(') {
      const name = nameOf(second);
      if (isAllowedFunction(name, this.options.dialect)) {
        this.fail(`call ${name} as ${name}(…) with its arguments inside, not after a dot`);
      }
      this.fail(functionRefusal(name, this.options.dialect));
    }
    if (this.peek()?.text === '.') {
      this.fail(
        `"${nameOf(first)}.${nameOf(second)}.…" has too many parts; write <table or alias>.<column>`,
      );
    }
    const name = nameOf(second);
    this.reference({ qualifier: nameOf(first), name });
    return name;
  }

  private reference(ref: { qualifier?: string; name: string }): void {
    const scope = this.scope;
    if (!scope) this.fail(`Column "${ref.name}" cannot be used here`);
    scope.pending.push({ ...ref, origin: scope });
  }

  private parseFunctionCall(nameToken: SqlToken): void {
    const name = nameOf(nameToken);
    if (nameToken.kind !== 'word' || !isAllowedFunction(name, this.options.dialect)) {
      this.fail(functionRefusal(name, this.options.dialect));
    }
    this.expectSymbol('(');
    if (name === 'count' && this.peek()?.text === '*') {
      this.i++;
    } else if (this.peek()?.text !== ')') {
      if (!this.acceptWord('DISTINCT')) this.acceptWord('ALL');
      this.parseExpressionList();
      if (this.acceptWords('ORDER', 'BY')) this.parseOrderList();
    }
    this.expectSymbol(')');
    this.parseCallSuffixes();
  }

  /** `WITHIN GROUP (ORDER BY …)`, `FILTER (WHERE …)`, `OVER (…)`. */
  private parseCallSuffixes(): void {
    if (this.acceptWords('WITHIN', 'GROUP')) {
      this.expectSymbol('(');
      this.expectWords('ORDER', 'BY');
      this.parseOrderList();
      this.expectSymbol(')');
    }
    if (this.acceptWord('FILTER')) {
      this.expectSymbol('(');
      this.expectWord('WHERE');
      this.parseExpression();
      this.expectSymbol(')');
    }
    if (this.acceptWord('OVER')) {
      this.expectSymbol('(');
      if (this.acceptWords('PARTITION', 'BY')) this.parseExpressionList();
      if (this.acceptWords('ORDER', 'BY')) this.parseOrderList();
      if (this.acceptWord('ROWS') || this.acceptWord('RANGE')) {
        if (this.acceptWord('BETWEEN')) {
          this.parseFrameBound();
          this.expectWord('AND');
        }
        this.parseFrameBound();
      }
      this.expectSymbol(')');
    }
  }

  private parseFrameBound(): void {
    if (this.acceptWord('CURRENT')) {
      this.expectWord('ROW');
      return;
    }
    if (!this.acceptWord('UNBOUNDED')) this.expectNumber();
    if (!this.acceptWord('PRECEDING')) this.expectWord('FOLLOWING');
  }

  private parseCase(): void {
    this.i++;
    this.enter();
    if (!this.isWord('WHEN')) this.parseExpression();
    if (!this.isWord('WHEN')) this.fail('CASE needs at least one WHEN … THEN …');
    while (this.acceptWord('WHEN')) {
      this.parseExpression();
      this.expectWord('THEN');
      this.parseExpression();
    }
    if (this.acceptWord('ELSE')) this.parseExpression();
    this.expectWord('END');
    this.leave();
  }

  /** `INTERVAL '30 days'`, `INTERVAL '30' DAY`, `INTERVAL 30 DAY`. */
  private parseInterval(): void {
    const value = this.peek();
    if (value?.kind === 'string') {
      this.i++;
      if (this.isDatePart()) this.i++;
      return;
    }
    if (value?.kind === 'number') {
      this.i++;
      this.parseDatePart();
      return;
    }
    this.fail("write an interval as INTERVAL '30 days' or INTERVAL 30 DAY");
  }

  private isDatePart(): boolean {
    const token = this.peek();
    return token?.kind === 'word' && DATE_PARTS.has(this.words[this.i] as string);
  }

  private parseDatePart(): void {
    if (!this.isDatePart()) {
      this.fail(`expected a date part such as DAY, MONTH or YEAR, not ${show(this.peek())}`);
    }
    this.i++;
  }

  private parseType(): void {
    const token = this.peek();
    const upper = token?.kind === 'word' ? token.text.toUpperCase() : '';
    if (!TYPES.has(upper)) {
      this.fail(`${show(token)} is not a type a query may cast to; use ${[...TYPES].join(', ')}`);
    }
    this.i++;
    if (upper === 'DOUBLE') this.acceptWord('PRECISION');
    if (this.acceptSymbol('(')) {
      this.expectNumber();
      if (this.acceptSymbol(',')) this.expectNumber();
      this.expectSymbol(')');
    }
  }

  private parseParenthesizedQuery(): void {
    this.expectSymbol('(');
    this.parseQuery(this.scope);
    this.expectSymbol(')');
  }

  // ── Tokens ────────────────────────────────────────────────────────────────

  private withScope(scope: Scope, body: () => void): void {
    const saved = this.scope;
    this.scope = scope;
    try {
      body();
    } finally {
      this.scope = saved;
    }
  }

  private enter(): void {
    this.depth++;
    if (this.depth > MAX_NESTING) {
      this.fail(`the query is nested more than ${MAX_NESTING} levels deep; simplify it`);
    }
  }

  private leave(): void {
    this.depth--;
  }

  private peek(offset = 0): SqlToken | undefined {
    return this.tokens[this.i + offset];
  }

  private next(): SqlToken | undefined {
    return this.tokens[this.i++];
  }

  private isWord(word: string, offset = 0): boolean {
    return this.words[this.i + offset] === word;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }

  /** Accepts two words in a row (`GROUP BY`), or neither. */
  private acceptWords(first: string, second: string): boolean {
    if (!this.isWord(first)) return false;
    this.i++;
    this.expectWord(second);
    return true;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) this.fail(`expected ${word}, found ${show(this.peek())}`);
  }

  private expectWords(first: string, second: string): void {
    this.expectWord(first);
    this.expectWord(second);
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.kind !== 'symbol' || token.text !== symbol) return false;
    this.i++;
    return true;
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) this.fail(`expected "${symbol}", found ${show(this.peek())}`);
  }

  private expectNumber(): void {
    this.expectKind('number');
  }

  private expectKind(kind: SqlToken['kind']): void {
    const token = this.peek();
    if (token?.kind !== kind) this.fail(`expected a ${kind}, found ${show(token)}`);
    this.i++;
  }

  /** A table, column, alias or CTE name: a plain word or a quoted identifier. */
  private parseName(what: string): string {
    const token = this.peek();
    if (
      token?.kind === 'identifier' ||
      (token?.kind === 'word' && !RESERVED.has(this.words[this.i] as string))
    ) {
      this.i++;
      return nameOf(token);
    }
    this.fail(`expected ${what}, found ${show(token)}`);
  }

  /** The token at hand is not part of the SQL the guard reads; say where and what it reads. */
  private unexpected(): never {
    const before = this.tokens
      .slice(Math.max(0, this.i - 4), this.i)
      .map((t) => t.text)
      .join(' ');
    this.fail(
      `the guard cannot read ${show(this.peek())}${before ? ` after "${before}"` : ''}; it reads standard SELECT syntax only: WITH, JOIN … ON/USING, WHERE, GROUP BY, HAVING, QUALIFY, ORDER BY, LIMIT/OFFSET, UNION/INTERSECT/EXCEPT, CASE, CAST or ::, window functions with OVER (…), DATE '…' and INTERVAL '…' literals`,
    );
  }

  private fail(reason: string): never {
    throw new UnsafeSqlError(reason);
  }
}

function nameOf(token: SqlToken | undefined): string {
  if (!token) return '';
  return (token.kind === 'identifier' ? unquoteIdentifier(token.text) : token.text).toLowerCase();
}

function show(token: SqlToken | undefined): string {
  return token ? JSON.stringify(token.text) : 'the end of the query';
}
