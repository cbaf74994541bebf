/**
 * Markdown (what the agents write) → Slack mrkdwn (what Slack renders). Slack's dialect differs:
 * `*bold*`, `_italic_`, `~strike~`, `<url|label>` links, no headings, no tables, no nested
 * formatting rules worth relying on, and `&`, `<`, `>` must be escaped everywhere. So:
 *
 * - `**bold**`/`__bold__` → `*bold*`, `*italic*` → `_italic_`, `~~strike~~` → `~strike~`;
 * - `[label](url)` and `![alt](url)` → `<url|label>` (http, https and mailto only);
 * - headings → a bold line; lists → `•`/`◦`/`▪` bullets indented by level, numbers kept;
 * - fenced code → a plain ``` block (Slack has no language hints), inline code kept;
 * - tables → an aligned monospace block, or one line per row when too wide for one;
 * - blockquotes kept, horizontal rules drawn, `<br>` turned into a line break.
 */

const BULLETS = ['•', '◦', '▪'];
/** Widest table still drawn as a grid; wider ones become one line per row. */
const MAX_TABLE_WIDTH = 72;

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_DELIMITER = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

/** Escapes Slack's three control characters. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function toSlackMrkdwn(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  const listIndents: number[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';

    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const body: string[] = [];
      i++;
      while (i < lines.length) {
        const candidate = lines[i] ?? '';
        const trimmed = candidate.trim();
        if (trimmed.startsWith(marker[0]!.repeat(marker.length)) && /^(`+|~+)$/.test(trimmed))
          break;
        body.push(candidate);
        i++;
      }
      i++; // the closing fence (or the end of the text)
      out.push(codeBlock(body));
      listIndents.length = 0;
      continue;
    }

    const next = lines[i + 1] ?? '';
    if (
      line.includes('|') &&
      next.includes('|') &&
      next.includes('-') &&
      TABLE_DELIMITER.test(next)
    ) {
      const rows = [splitRow(line)];
      i += 2;
      while (i < lines.length && (lines[i] ?? '').includes('|') && (lines[i] ?? '').trim() !== '') {
        rows.push(splitRow(lines[i] ?? ''));
        i++;
      }
      out.push(renderTable(rows));
      listIndents.length = 0;
      continue;
    }

    i++;
    if (line.trim() === '') {
      out.push('');
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push(`*${plainInline(heading[2] ?? '')}*`);
      listIndents.length = 0;
      continue;
    }
    if (RULE.test(line)) {
      out.push('──────────');
      listIndents.length = 0;
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      const indent = (item[1] ?? '').replace(/\t/g, '    ').length;
      while (listIndents.length > 0 && indent < (listIndents.at(-1) ?? 0)) listIndents.pop();
      if (listIndents.length === 0 || indent > (listIndents.at(-1) ?? 0)) listIndents.push(indent);
      const level = listIndents.length - 1;
      const marker = item[2] ?? '-';
      const ordered = /\d/.test(marker);
      let text = item[3] ?? '';
      let bullet = ordered ? `${marker.slice(0, -1)}.` : (BULLETS[level % BULLETS.length] ?? '•');
      const task = /^\[([ xX])\]\s+(.*)$/.exec(text);
      if (task) {
        bullet = task[1] === ' ' ? '☐' : '☑';
        text = task[2] ?? '';
      }
      out.push(`${'    '.repeat(level)}${bullet} ${inline(text)}`);
      continue;
    }
    const quote = QUOTE.exec(line);
    if (quote) {
      out.push(`>${quote[1] ? ` ${inline(quote[1])}` : ''}`);
      continue;
    }
    // A line indented under a list item continues it.
    if (listIndents.length > 0 && /^\s+\S/.test(line)) {
      out.push(`${'    '.repeat(listIndents.length)}${inline(line.trim())}`);
      continue;
    }
    listIndents.length = 0;
    out.push(inline(line.trim()));
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function codeBlock(lines: string[]): string {
  // Blank lines at either end would show as empty lines inside the block.
  const body = escapeSlackText(lines.join('\n').replace(/^\n+|\s+$/g, ''));
  return `\`\`\`\n${body}\n\`\`\``;
}

// ── inline ───────────────────────────────────────────────────────────────────────────────────

const TOKEN = '\u0000';
const BOLD = '\u0001';

/** Links, code spans and escaped characters, swapped out while emphasis is converted. */
class Protected {
  private readonly parts: string[] = [];
  hold(text: string): string {
    this.parts.push(text);
    return `${TOKEN}${this.parts.length - 1}${TOKEN}`;
  }
  restore(text: string): string {
    return text.replace(new RegExp(`${TOKEN}(\\d+)${TOKEN}`, 'g'), (_, n: string) =>
      this.restore(this.parts[Number(n)] ?? ''),
    );
  }
}

function safeUrl(url: string): string | null {
  const trimmed = url.trim().replace(/^<|>$/g, '');
  if (!/^(https?:\/\/|mailto:)/i.test(trimmed)) return null;
  // Inside <…> a URL ends at `|` or `>`: percent-encode what would end it early.
  return escapeSlackText(trimmed.replace(/\|/g, '%7C').replace(/\s/g, '%20'));
}

function linkLabel(label: string): string {
  return escapeSlackText(stripEmphasis(label)).replace(/\|/g, '∣');
}

function stripEmphasis(text: string): string {
  return text
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^*\w])\*(?!\s)([^*]+?)\*(?!\*)/g, '$1$2')
    .replace(/(^|\W)_(?!\s)([^_]+?)_(?=\W|$)/g, '$1$2')
    .replace(/~~(.+?)~~/g, '$1');
}

/** Converts the inline Markdown of one line. */
export function inline(text: string): string {
  const held = new Protected();
  let s = text;
  // Code spans first: nothing inside them is formatting.
  s = s.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, _ticks: string, code: string) =>
    held.hold(`\`${escapeSlackText(code.trim() === '' ? code : code.replace(/^ (.*) $/, '$1'))}\``),
  );
  s = s.replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, (_, ch: string) => held.hold(escapeSlackText(ch)));
  s = s.replace(/<br\s*\/?>/gi, '\n');
  // Images and links: [label](url "title")
  s = s.replace(
    /(!?)\[((?:[^[\]]|\[[^[\]]*\])*)\]\(\s*(<[^>]*>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    (_whole, bang: string, label: string, url: string) => {
      const href = safeUrl(url);
      const shown = label.trim() || (bang ? 'image' : url);
      if (!href) return held.hold(escapeSlackText(stripEmphasis(shown)));
      return held.hold(`<${href}|${linkLabel(shown)}>`);
    },
  );
  // Autolinks: <https://…>
  s = s.replace(/<((?:https?:\/\/|mailto:)[^\s<>]+)>/gi, (whole, url: string) => {
    const href = safeUrl(url);
    return href ? held.hold(`<${href}>`) : whole;
  });
  s = escapeSlackText(s);
  s = s.replace(/\*\*\*(?!\s)(.+?)(?<!\s)\*\*\*/g, `${BOLD}_$1_${BOLD}`);
  s = s.replace(/\*\*(?!\s)(.+?)(?<!\s)\*\*/g, `${BOLD}$1${BOLD}`);
  s = s.replace(/(^|[^\w])__(?!\s)(.+?)(?<!\s)__(?=[^\w]|$)/g, `$1${BOLD}$2${BOLD}`);
  s = s.replace(/(^|[^*\w])\*(?![\s*])([^*\n]*?[^\s*])\*(?![*\w])/g, '$1_$2_');
  s = s.replace(/~~(?!\s)(.+?)(?<!\s)~~/g, '~$1~');
  s = s.replace(new RegExp(BOLD, 'g'), '*');
  return held.restore(s).replace(/[ \t]+$/g, '');
}

/** Inline text with the emphasis markers dropped (headings are bold already). */
function plainInline(text: string): string {
  return inline(text)
    .replace(/(^|[^\w])\*([^*\n]+)\*(?=[^\w]|$)/g, '$1$2')
    .replace(/(^|[^\w])_([^_\n]+)_(?=[^\w]|$)/g, '$1$2');
}

// ── tables ───────────────────────────────────────────────────────────────────────────────────

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** A cell as plain text: Markdown markers and links reduced to what a reader sees. */
function cellText(cell: string): string {
  return stripEmphasis(cell.replace(/!?\[([^\]]*)\]\(([^)]*)\)/g, '$1')).replace(
    /<br\s*\/?>/gi,
    ' ',
  );
}

const NUMERIC = /^[-+]?[$€£]?[\d.,]+\s?(%|[kKmMbB]|[kKmMbB]?USD)?$/;

function renderTable(rows: string[][]): string {
  const cells = rows.map((row) => row.map(cellText));
  const columns = Math.max(...cells.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(1, ...cells.map((row) => [...(row[c] ?? '')].length)),
  );
  const totalWidth = widths.reduce((sum, w) => sum + w, 0) + 3 * (columns - 1);
  const [header = [], ...body] = cells;

  if (totalWidth <= MAX_TABLE_WIDTH) {
    const numeric = widths.map(
      (_, c) =>
        body.length > 0 && body.every((row) => (row[c] ?? '') === '' || NUMERIC.test(row[c] ?? '')),
    );
    const pad = (text: string, c: number) => {
      const gap = ' '.repeat(Math.max(0, (widths[c] ?? 0) - [...text].length));
      return numeric[c] ? `${gap}${text}` : `${text}${gap}`;
    };
    const line = (row: string[]) =>
      widths
        .map((_, c) => pad(row[c] ?? '', c))
        .join(' | ')
        .replace(/\s+$/, '');
    const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
    return codeBlock([line(header), rule, ...body.map(line)]);
  }
  // Too wide for a grid: one line per row, the first column leading.
  return body
    .map((row) => {
      const [first = '', ...rest] = row;
      const pairs = rest
        .map((value, c) => (value ? `${header[c + 1] ? `${header[c + 1]}: ` : ''}${value}` : ''))
        .filter(Boolean)
        .join(' · ');
      return `• *${escapeSlackText(first)}*${pairs ? ` — ${escapeSlackText(pairs)}` : ''}`;
    })
    .join('\n');
}
