/**
 * An answer as Slack shows it: the agents write Markdown, the Slack processor turns it into
 * mrkdwn, and Slack draws bold, italics, strike-through, code, links, bullets and quotes. This
 * renders the same Markdown straight to HTML with Slack's look. Every line is escaped first and
 * formatting is applied to the escaped text, so no input can add an element or an attribute;
 * links keep only http, https and mailto targets.
 */
import { escapeHtml, type SafeHtml, trusted } from './html';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}(?:&gt;|>)\s?(.*)$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const TABLE_DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const BULLETS = ['•', '◦', '▪'];

/** Inline formatting on one already-escaped line. */
function inline(escaped: string): string {
  const codes: string[] = [];
  // Code spans first (escaping turned their backticks into &#96;), kept aside so nothing
  // inside them is formatted.
  let text = escaped.replace(/&#96;(.+?)&#96;/g, (_m, code: string) => {
    codes.push(`<code>${code}</code>`);
    return `\uE000${codes.length - 1}\uE000`;
  });
  text = text.replace(
    /!?\[([^\]]*)\]\(((?:https?:\/\/|mailto:)[^\s)]+)\)/g,
    (_m, label: string, url: string) =>
      `<a href="${url}" rel="noopener noreferrer">${label || url}</a>`,
  );
  text = text
    .replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, '<b>$1</b>')
    .replace(/__(?=\S)(.+?)(?<=\S)__/g, '<b>$1</b>')
    .replace(/(^|[^*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![*\w])/g, '$1<i>$2</i>')
    .replace(/(^|[^_\w])_(?=\S)([^_]+?)(?<=\S)_(?![_\w])/g, '$1<i>$2</i>')
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '<s>$1</s>');
  return text.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => codes[Number(i)] ?? '');
}

const cells = (row: string): string[] =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());

export function renderSlackMarkdown(markdown: string): SafeHtml {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] as string;
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').trim().startsWith(marker)) {
        body.push(lines[i] ?? '');
        i++;
      }
      i++;
      out.push(`<pre class="code">${escapeHtml(body.join('\n'))}</pre>`);
      continue;
    }
    const next = lines[i + 1] ?? '';
    if (line.includes('|') && TABLE_DELIMITER.test(next)) {
      // Slack has no tables: the processor draws them as a monospace block; so does this.
      const rows = [cells(line)];
      i += 2;
      while (i < lines.length && (lines[i] ?? '').includes('|')) rows.push(cells(lines[i++] ?? ''));
      const widths = rows[0]?.map((_c, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
      const text = rows
        .map((r) =>
          r
            .map((c, col) => c.padEnd(widths?.[col] ?? 0))
            .join('  ')
            .trimEnd(),
        )
        .join('\n');
      out.push(`<pre class="code">${escapeHtml(text)}</pre>`);
      continue;
    }
    i++;
    if (line.trim() === '') {
      out.push('<br>');
      continue;
    }
    if (RULE.test(line)) {
      out.push('<hr>');
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push(`<div><b>${inline(escapeHtml(heading[1] ?? ''))}</b></div>`);
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      const level = Math.min(2, Math.floor((item[1] ?? '').replace(/\t/g, '  ').length / 2));
      const marker = /\d/.test(item[2] ?? '') ? (item[2] as string) : BULLETS[level];
      out.push(
        `<div class="li level-${level}">${escapeHtml(marker ?? '•')} ${inline(escapeHtml(item[3] ?? ''))}</div>`,
      );
      continue;
    }
    const quote = QUOTE.exec(line);
    if (quote) {
      out.push(`<blockquote>${inline(escapeHtml(quote[1] ?? ''))}</blockquote>`);
      continue;
    }
    out.push(`<div>${inline(escapeHtml(line))}</div>`);
  }
  return trusted(out.join('\n'));
}
