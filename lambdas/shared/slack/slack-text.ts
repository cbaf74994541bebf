/**
 * Slack message text → the question the agents read: the bot's own mention removed, Slack's
 * markup (`<@U…|name>`, `<#C…|channel>`, `<https://…|label>`, `<!here>`) turned into readable
 * text and its HTML entities decoded. Agents never see user ids in angle brackets.
 */

const MARKUP = /<([^<>]*)>/g;

function readable(inner: string, botUserId: string | undefined): string {
  const [target = '', label] = splitLabel(inner);
  switch (target[0]) {
    case '@': {
      const userId = target.slice(1);
      if (userId === botUserId) return ' ';
      return label ? `@${label.replace(/^@/, '')}` : `@${userId}`;
    }
    case '#':
      return label ? `#${label}` : `#${target.slice(1)}`;
    case '!': {
      const [command = '', ...rest] = target.slice(1).split('^');
      if (command === 'subteam') return label ?? `@${rest[0] ?? 'team'}`;
      if (command === 'date') return label ?? '';
      return `@${command}`;
    }
    default: {
      const url = target.startsWith('mailto:') ? target.slice('mailto:'.length) : target;
      if (!label || label === url || label === target) return url;
      return `${label} (${url})`;
    }
  }
}

function splitLabel(inner: string): [string, string | undefined] {
  const bar = inner.indexOf('|');
  return bar === -1 ? [inner, undefined] : [inner.slice(0, bar), inner.slice(bar + 1)];
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * The question in `text`, cleaned. With `botUserId` unknown, leading user mentions are taken to
 * be the bot's (an `app_mention` starts with it).
 */
export function cleanQuestion(text: string, botUserId?: string): string {
  let source = text;
  if (!botUserId) source = source.replace(/^(\s*<@[A-Z0-9]+(\|[^>]*)?>)+/, ' ');
  const replaced = source.replace(MARKUP, (_, inner: string) => readable(inner, botUserId));
  return decodeEntities(replaced)
    .split('\n')
    .map((line) =>
      line
        .replace(/[ \t\u00a0]+/g, ' ')
        .replace(/ ([,.;:!?])/g, '$1')
        .trim(),
    )
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
