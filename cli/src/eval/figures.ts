/**
 * Figures in an answer and where they came from. An answer's money amounts, percentages, counts
 * and dates are read back as numbers; each must be traced to the conversation's evidence — a
 * value in a tool result or knowledge-base passage (or the question itself), a column total or
 * row count of a result, a ratio of two such values, or a day count between two such dates — at
 * the precision the answer shows. Figures in recommendation sections (next steps, engagement
 * strategy) are plans, not reported facts, and are not traced.
 */

export type FigureKind = 'money' | 'percent' | 'count' | 'date';

export interface Figure {
  kind: FigureKind;
  /** As written in the answer. */
  text: string;
  /** USD, percent, count, or epoch days for dates. */
  value: number;
  /** Half the unit of the last digit shown: how far the source may be from the value. */
  tolerance: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_MS = 86_400_000;
const MONEY = /(-?)\$\s?(\d[\d,]*(?:\.\d+)?)\s?([KMB])?\b/g;
const PERCENT = /(\d+(?:\.\d+)?)\s?%/g;
const LONG_DATE =
  /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2}),\s+(\d{4})\b/g;
const ISO_DATE = /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)/g;
/** `14 Nov 2026` and `Sat, 14 Nov 2026 12:00:00 GMT` (HTTP dates in search results). */
const DAY_MONTH_YEAR =
  /\b(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{4})\b/g;
/** Counts worth tracing: a number followed by what it counts. */
const COUNT =
  /(?<![\d.,$/-])(\d[\d,]*)\+?\s+(deals?|customers?|calls?|accounts?|leads?|days?|opportunit(?:y|ies)|contacts?|owners?|competitors?|employees|site visits|downloads|e-mail opens|users|seats|quarters|weeks|months)\b/gi;
/** Headings under which figures are plans (deadlines, follow-ups), not reported facts. */
const PLAN_SECTION = /^\*\*(next steps|engagement strategy|recommended|to do)/i;

const epochDay = (year: number, month: number, day: number) =>
  Math.round(Date.UTC(year, month - 1, day) / DAY_MS);

function digitsTolerance(digits: string, scale: number): number {
  const decimals = digits.includes('.') ? (digits.split('.')[1]?.length ?? 0) : 0;
  return (0.5 * scale) / 10 ** decimals;
}

/** The lines of an answer that report facts (plans and their dates left out). */
export function reportedLines(answer: string): string[] {
  const lines: string[] = [];
  let inPlan = false;
  for (const line of answer.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('**')) inPlan = PLAN_SECTION.test(trimmed);
    if (!inPlan) lines.push(line);
  }
  return lines;
}

const monthNumber = (name = '') => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;

/** Each way a date is written, and how its match reads as year, month and day. */
const DATE_FORMS: [RegExp, (m: RegExpMatchArray) => [number, number, number]][] = [
  [LONG_DATE, (m) => [Number(m[3]), monthNumber(m[1]), Number(m[2])]],
  [DAY_MONTH_YEAR, (m) => [Number(m[3]), monthNumber(m[2]), Number(m[1])]],
  [ISO_DATE, (m) => [Number(m[1]), Number(m[2]), Number(m[3])]],
];

/** Every money amount, percentage, count and date in `text`. */
export function figuresIn(text: string): Figure[] {
  const figures: Figure[] = [];
  for (const m of text.matchAll(MONEY)) {
    const digits = (m[2] ?? '').replace(/,/g, '');
    const scale = m[3] === 'B' ? 1e9 : m[3] === 'M' ? 1e6 : m[3] === 'K' ? 1e3 : 1;
    figures.push({
      kind: 'money',
      text: m[0],
      value: (m[1] ? -1 : 1) * Number(digits) * scale,
      tolerance: Math.max(digitsTolerance(digits, scale), 0.5),
    });
  }
  for (const m of text.matchAll(PERCENT)) {
    const digits = m[1] ?? '';
    figures.push({
      kind: 'percent',
      text: m[0],
      value: Number(digits),
      tolerance: digitsTolerance(digits, 1),
    });
  }
  for (const [form, yearMonthDay] of DATE_FORMS) {
    for (const m of text.matchAll(form)) {
      figures.push({ kind: 'date', text: m[0], value: epochDay(...yearMonthDay(m)), tolerance: 0 });
    }
  }
  for (const m of text.matchAll(COUNT)) {
    figures.push({
      kind: 'count',
      text: m[0],
      value: Number((m[1] ?? '').replace(/,/g, '')),
      tolerance: 0,
    });
  }
  return figures;
}

/** What a conversation's figures may be traced to: numbers, totals and dates of its evidence. */
export class Evidence {
  private readonly numbers = new Set<number>();
  private readonly days = new Set<number>();

  /** `texts`: tool results, passages, tool inputs and the user's words; `today`: YYYY-MM-DD. */
  constructor(texts: string[], today?: string) {
    for (const text of texts) this.add(text);
    if (today) this.add(today);
  }

  add(text: string): void {
    for (const m of text.matchAll(/-?\d+(?:\.\d+)?/g)) this.numbers.add(Number(m[0]));
    for (const m of text.matchAll(ISO_DATE))
      this.days.add(epochDay(Number(m[1]), Number(m[2]), Number(m[3])));
    for (const f of figuresIn(text)) {
      if (f.kind === 'date') this.days.add(f.value);
      else this.numbers.add(f.value);
    }
    this.addTables(text);
  }

  /** Column totals and row counts of `{columns, rows}` results. */
  private addTables(text: string): void {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return;
    }
    const table = body as { columns?: unknown; rows?: unknown };
    if (!Array.isArray(table.columns) || !Array.isArray(table.rows)) return;
    const rows = table.rows as unknown[][];
    this.numbers.add(rows.length);
    // Totals per value of another column ("ARR in Commit", "ARR per segment").
    for (let g = 0; g < table.columns.length; g++) {
      const groups = new Map<unknown, number[]>();
      for (const row of rows) {
        const key = row[g];
        if (typeof key !== 'string') continue;
        for (let c = 0; c < row.length; c++) {
          const n = Number(row[c]);
          if (c === g || row[c] === null || typeof row[c] === 'boolean' || !Number.isFinite(n))
            continue;
          const totals = groups.get(key) ?? [];
          totals[c] = (totals[c] ?? 0) + n;
          groups.set(key, totals);
        }
      }
      if (groups.size === rows.length) continue;
      for (const totals of groups.values())
        for (const total of totals) if (total !== undefined) this.numbers.add(total);
    }
    for (let c = 0; c < table.columns.length; c++) {
      let total = 0;
      let numeric = false;
      let nonNull = 0;
      for (const row of rows) {
        const value = row[c];
        if (value !== null && value !== undefined && value !== '' && value !== false) nonNull++;
        const n = typeof value === 'number' ? value : Number(value);
        if (value !== null && value !== '' && Number.isFinite(n) && typeof value !== 'boolean') {
          total += n;
          numeric = true;
        }
      }
      if (numeric) this.numbers.add(Math.round(total * 100) / 100);
      this.numbers.add(nonNull);
    }
  }

  private near(value: number, tolerance: number): boolean {
    for (const n of this.numbers) if (Math.abs(n - value) <= tolerance + 1e-9) return true;
    return false;
  }

  /** Whether the figure is in the evidence or follows from it. */
  traces(figure: Figure): boolean {
    const { kind, value, tolerance } = figure;
    if (kind === 'date') return this.days.has(value);
    if (kind === 'money') return this.near(value, tolerance) || this.near(-value, tolerance);
    if (this.near(value, tolerance)) return true;
    const values = [...this.numbers].filter((n) => n > 0);
    if (kind === 'percent') {
      if (this.near(value / 100, tolerance / 100)) return true;
      // A share or rate: a / b, or a / (a + b) as in win rates by count.
      for (const a of values) {
        for (const b of values) {
          if (Math.abs((100 * a) / b - value) <= tolerance + 1e-9) return true;
          if (Math.abs((100 * a) / (a + b) - value) <= tolerance + 1e-9) return true;
        }
      }
      return false;
    }
    // Counts of days: the distance between two dates of the evidence.
    const days = [...this.days];
    for (const a of days) for (const b of days) if (Math.abs(a - b) === value) return true;
    return false;
  }
}

/** The figures of `answer` the evidence does not account for. */
export function untracedFigures(answer: string, evidence: Evidence): Figure[] {
  return figuresIn(reportedLines(answer).join('\n')).filter((f) => !evidence.traces(f));
}
