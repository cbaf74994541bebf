/**
 * Reading questions and writing answers for the offline model: names, quarters and intents out of
 * a question; money, dates, percentages and tables in the formats RevBot's agents document
 * ("$2.1M ARR", "Dec 15, 2026", "2026-Q4", Markdown tables of at most five columns).
 */

const DAY_MS = 86_400_000;

/** `$2.1M`, `$464K`, `$9,500`: $K/$M with one decimal above $10,000. */
export function money(value: unknown): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return 'n/a';
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const oneDecimal = (x: number) => String(Number(x.toFixed(1)));
  if (abs >= 1_000_000) return `${sign}$${oneDecimal(abs / 1_000_000)}M`;
  if (abs >= 10_000) return `${sign}$${oneDecimal(abs / 1_000)}K`;
  return `${sign}$${Math.round(abs).toLocaleString('en-US')}`;
}

export const count = (value: unknown): string => Number(value).toLocaleString('en-US');

export const percent = (value: unknown): string => `${Math.round(Number(value))}%`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-12-17` or an ISO time → `Dec 17, 2026`. */
export function longDate(value: unknown): string {
  const text = String(value ?? '');
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!match) return text || 'unknown date';
  return `${MONTHS[Number(match[2]) - 1]} ${Number(match[3])}, ${match[1]}`;
}

/** Whole days from `from` to `to` (dates or ISO times; `to` later gives a positive number). */
export function daysBetween(from: unknown, to: string): number | undefined {
  const start = Date.parse(String(from ?? '').slice(0, 10));
  const end = Date.parse(to.slice(0, 10));
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return Math.round((end - start) / DAY_MS);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(day.slice(0, 10)) + days * DAY_MS).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Quarters
// ---------------------------------------------------------------------------------------------

export const quarterOf = (day: string): string => {
  const [year, month] = day.split('-').map(Number) as [number, number];
  return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
};

export function shiftQuarter(quarter: string, by: number): string {
  const [year, q] = quarter.split('-Q').map(Number) as [number, number];
  const index = year * 4 + (q - 1) + by;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
}

/** The quarter a question names (`2026-Q4`, `Q4 2026`, `Q4`, this/next/last quarter), if any. */
export function quarterIn(text: string, today: string): string | undefined {
  const current = quarterOf(today);
  const iso = /\b(20\d\d)-?Q([1-4])\b/i.exec(text);
  if (iso) return `${iso[1]}-Q${iso[2]}`;
  const spoken = /\bQ([1-4])(?:\s*(?:of\s+)?(?:FY\s*)?(20\d\d))?\b/i.exec(text);
  if (spoken) return `${spoken[2] ?? current.slice(0, 4)}-Q${spoken[1]}`;
  if (/\bnext quarter\b/i.test(text)) return shiftQuarter(current, 1);
  if (/\b(last|previous|prior) quarter\b/i.test(text)) return shiftQuarter(current, -1);
  if (/\b(this|current) quarter\b|\bquarter to date\b|\bQTD\b/i.test(text)) return current;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Names in questions
// ---------------------------------------------------------------------------------------------

/** Capitalised words that start questions or name things other than companies and people. */
const NOT_NAMES = new Set(
  `Has Have Had What What's Whats Where Where's When Which Who Who's Whose Why How How's Is Are Was Were Do Does Did Can Could Would Should Will Please Give Show Tell Find List Get Send Notify Alert Let Post Review Assess Qualify Score Summarize Summarise Research Look Check Compare Explain Define Break Ignore Translate Recommend Delete Change Write Trigger Save Record Log Any And Or But The A An Our My Me We I It Its This That These Those Also Then Now Today Hi Hello Hey Thanks Thank RevBot Slack MEDDPICC ICP ARR MRR NRR CRM SQL Gong Salesforce Firebolt Q1 Q2 Q3 Q4 FY VP CFO CEO CTO CIO CDO EB AE SDR US EMEA APAC LATAM North America Enterprise Mid-Market SMB Snowflake Databricks BigQuery Google Amazon Redshift ClickHouse Teradata Vertica Negotiate Proposal Discovery Prospecting Commit January February March April May June July August September October November December Monday Tuesday Wednesday Thursday Friday`.split(
    /\s+/,
  ),
);

const WORD = "[A-Z][A-Za-z0-9&.'-]*";

/** Runs of capitalised words (`Acme Corp`, `IXIS`, `John Smith`) that are not question words. */
export function properNames(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(new RegExp(`${WORD}(?:\\s+${WORD})*`, 'g'))) {
    const words = match[0].split(/\s+/).map((w) => w.replace(/[.'’]s$|[.,;:!?]+$/g, ''));
    // Drop leading and trailing words that are not names ("What", "MEDDPICC", "Q4").
    while (words.length > 0 && NOT_NAMES.has(words[0]!)) words.shift();
    while (words.length > 0 && NOT_NAMES.has(words.at(-1)!)) words.pop();
    if (words.length === 0) continue;
    const name = words.join(' ');
    if (name.length >= 2 && !names.includes(name)) names.push(name);
  }
  return names;
}

/** The company or deal a question is about: the name next to "deal", "with", "at", "for"… */
export function subjectName(text: string): string | undefined {
  const cues = [
    new RegExp(`(${WORD}(?:\\s+${WORD})*)\\s+(?:deal|opportunity|renewal|expansion|account)\\b`),
    new RegExp(`\\b(?:with|at|for|about|on|of|from)\\s+(?:the\\s+)?(${WORD}(?:\\s+${WORD})*)`),
  ];
  for (const cue of cues) {
    for (const match of text.matchAll(new RegExp(cue, 'g'))) {
      const [name] = properNames(match[1] ?? '');
      if (name) return name;
    }
  }
  return properNames(text)[0];
}

/** `John Smith at DataCorp` → person and company; either may be missing. */
export function personAndCompany(text: string): { person?: string; company?: string } {
  const at = new RegExp(
    `(${WORD}(?:\\s+${WORD})+)\\s+(?:at|from|of|with)\\s+(${WORD}(?:\\s+${WORD})*)`,
  ).exec(text);
  if (at) {
    const [person] = properNames(at[1] ?? '');
    const [company] = properNames(at[2] ?? '');
    if (person && company && /\s/.test(person)) return { person, company };
  }
  const company = new RegExp(
    `\\b(?:lead|leads|prospect)\\s+(?:from|at)\\s+(${WORD}(?:\\s+${WORD})*)`,
  ).exec(text);
  if (company) return { company: properNames(company[1] ?? '')[0] };
  const names = properNames(text);
  const person = names.find((n) => /^[A-Z][a-z]+(?:\s+[A-Z][a-z'-]+)+$/.test(n));
  return person ? { person } : names[0] ? { company: names[0] } : {};
}

/** Words of a question, lower case, for intent matching. */
export const normalized = (text: string): string => ` ${text.toLowerCase().replace(/[’']/g, "'")} `;

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/** A Markdown table; callers keep it to five columns. */
export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function quote(text: unknown, max = 160): string {
  const value = String(text ?? '').trim();
  return value.length <= max ? value : `${value.slice(0, max - 1).trimEnd()}…`;
}
