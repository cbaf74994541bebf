/**
 * The agents answer in Markdown; `response_plain` is the same answer for receivers that show
 * text as is (SMS, CRM notes, logs). Syntax goes, content stays: links keep their URL, tables
 * keep their cells, code keeps its text, list items keep a marker.
 */

const FENCE = /^\s*(```|~~~)/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;

export function markdownToPlainText(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let inFence = false;
  for (const line of lines) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      out.push(line);
      continue;
    }
    if (RULE.test(line) || TABLE_SEPARATOR.test(line)) continue;
    out.push(plainLine(line));
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function plainLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+/;
  let text = heading.test(line) ? line.replace(heading, '').replace(/\s+#+\s*$/, '') : line;
  text = text
    .replace(/^(\s*>\s?)+/, '') // block quotes
    .replace(/^(\s*)[*+]\s+/, '$1- '); // bullet markers → "- "
  if (/^\s*\|.*\|\s*$/.test(text)) {
    text = text
      .trim()
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim())
      .join(' | ');
  }
  return inline(text);
}

function inline(text: string): string {
  const kept: string[] = [];
  const keep = (value: string) => {
    kept.push(value);
    return `\u0000${kept.length - 1}\u0000`;
  };
  // Code spans and escaped characters first, so nothing in them is read as Markdown.
  let result = text
    .replace(/(`+)(.+?)\1/g, (_m, _ticks, code: string) => keep(code.trim()))
    .replace(/\\([\\`*_{}[\]()#+\-.!|~>])/g, (_m, char: string) => keep(char));
  result = result
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1') // images → alt text
    .replace(
      /\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
      (_m, label: string, url: string) => (label === url ? url : `${label} (${url})`),
    )
    .replace(/<((?:https?|mailto):[^>\s]+)>/g, '$1') // autolinks
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2') // strong
    .replace(/(^|[^\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\*)/g, '$1$2') // emphasis with *
    .replace(/(^|[^\w])_(?=\S)(.+?)(?<=\S)_(?![\w])/g, '$1$2') // emphasis with _, not snake_case
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '$1'); // strikethrough
  // biome-ignore lint/suspicious/noControlCharactersInRegex: placeholders for kept text
  return result.replace(/\u0000(\d+)\u0000/g, (_m, index: string) => kept[Number(index)] ?? '');
}
