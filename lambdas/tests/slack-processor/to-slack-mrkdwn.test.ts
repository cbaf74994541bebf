import { describe, expect, it } from 'vitest';
import { SLACK_MESSAGE_LIMIT, splitSlackMessage } from '../../slack-processor/split-slack-message';
import { escapeSlackText, toSlackMrkdwn } from '../../slack-processor/to-slack-mrkdwn';

describe('Markdown to Slack mrkdwn', () => {
  it('converts bold, italics, bold italics and strikethrough', () => {
    expect(toSlackMrkdwn('**Acme** is *at risk*, __really__ ***urgent*** ~~closed~~ _won_')).toBe(
      '*Acme* is _at risk_, *really* *_urgent_* ~closed~ _won_',
    );
  });

  it('leaves asterisks that are not emphasis alone', () => {
    expect(toSlackMrkdwn('2 * 3 * 4 = 24 and snake_case_name stays')).toBe(
      '2 * 3 * 4 = 24 and snake_case_name stays',
    );
  });

  it('turns links and images into Slack links, escaping what would end them early', () => {
    expect(toSlackMrkdwn('See [the **Q3** plan](https://acme.example/plan?a=1&b=2 "Plan").')).toBe(
      'See <https://acme.example/plan?a=1&amp;b=2|the Q3 plan>.',
    );
    expect(toSlackMrkdwn('![chart](https://x.example/c.png) <https://docs.example/a>')).toBe(
      '<https://x.example/c.png|chart> <https://docs.example/a>',
    );
    expect(toSlackMrkdwn('[odd|label](https://x.example/a|b)')).toBe(
      '<https://x.example/a%7Cb|odd∣label>',
    );
  });

  it('does not link anything but http, https and mailto', () => {
    expect(toSlackMrkdwn('[click](javascript:alert(1))')).toBe('click');
    expect(toSlackMrkdwn('[mail us](mailto:ops@acme.example)')).toBe(
      '<mailto:ops@acme.example|mail us>',
    );
  });

  it("escapes &, < and > outside Slack's own link syntax", () => {
    expect(toSlackMrkdwn('ARR < $1M & churn > 5% <b>')).toBe(
      'ARR &lt; $1M &amp; churn &gt; 5% &lt;b&gt;',
    );
    expect(escapeSlackText('<@U123> & <!here>')).toBe('&lt;@U123&gt; &amp; &lt;!here&gt;');
  });

  it('renders headings as bold lines without nested markers', () => {
    expect(toSlackMrkdwn('# Deal review\n## **Risks** for _Acme_\n### Next steps ###')).toBe(
      '*Deal review*\n*Risks for Acme*\n*Next steps*',
    );
  });

  it('renders bullet, nested, ordered and task lists', () => {
    const markdown = [
      '- Pipeline',
      '  - **Acme**: $120k',
      '    * Stage 4',
      '- Risks',
      '',
      '1. Call the champion',
      '2) Send the proposal',
      '- [ ] follow up',
      '- [x] demo done',
    ].join('\n');
    expect(toSlackMrkdwn(markdown)).toBe(
      [
        '• Pipeline',
        '    ◦ *Acme*: $120k',
        '        ▪ Stage 4',
        '• Risks',
        '',
        '1. Call the champion',
        '2. Send the proposal',
        '☐ follow up',
        '☑ demo done',
      ].join('\n'),
    );
  });

  it('keeps code verbatim: fenced blocks lose their language, nothing inside is formatted', () => {
    const markdown =
      'Run:\n```sql\nSELECT *  FROM deals WHERE amount > 1000 AND **x**\n```\nthen `a_b*c*` too';
    expect(toSlackMrkdwn(markdown)).toBe(
      'Run:\n```\nSELECT *  FROM deals WHERE amount &gt; 1000 AND **x**\n```\nthen `a_b*c*` too',
    );
  });

  it('closes a code block the answer left open', () => {
    expect(toSlackMrkdwn('```\nSELECT 1')).toBe('```\nSELECT 1\n```');
  });

  it('renders a table as an aligned monospace grid, numbers right-aligned', () => {
    const markdown = [
      '| Account | Stage | Amount |',
      '|:--|:-:|--:|',
      '| **Acme Corp** | Negotiation | $120,000 |',
      '| TechCorp | Discovery | $8,500 |',
    ].join('\n');
    expect(toSlackMrkdwn(markdown)).toBe(
      [
        '```',
        'Account   | Stage       |   Amount',
        '----------+-------------+---------',
        'Acme Corp | Negotiation | $120,000',
        'TechCorp  | Discovery   |   $8,500',
        '```',
      ].join('\n'),
    );
  });

  it('renders a table too wide for a grid as one line per row', () => {
    const long = 'a very long description of the next step that the account team agreed on';
    const markdown = `| Account | Next step | Owner |\n|---|---|---|\n| Acme | ${long} | Dana |\n| DataCorp | Renewal call | Lee |`;
    expect(toSlackMrkdwn(markdown)).toBe(
      `• *Acme* — Next step: ${long} · Owner: Dana\n• *DataCorp* — Next step: Renewal call · Owner: Lee`,
    );
  });

  it('keeps blockquotes and draws rules', () => {
    expect(toSlackMrkdwn('> **Note:** forecast\n\n---\nDone')).toBe(
      '> *Note:* forecast\n\n──────────\nDone',
    );
  });

  it('honours escaped Markdown characters and <br>', () => {
    expect(toSlackMrkdwn('\\*not bold\\* 5 \\> 3<br>next')).toBe('*not bold* 5 &gt; 3\nnext');
  });
});

describe('splitting answers into Slack messages', () => {
  const paragraph = (n: number, words = 40) =>
    Array.from({ length: words }, (_, i) => `word${n}-${i}`).join(' ');

  it('keeps a short answer in one message', () => {
    expect(splitSlackMessage('Short *answer*.')).toEqual(['Short *answer*.']);
    expect(splitSlackMessage('   ')).toEqual([]);
  });

  it('cuts between paragraphs, every message within the limit', () => {
    const text = Array.from({ length: 30 }, (_, i) => paragraph(i)).join('\n\n');
    const messages = splitSlackMessage(text);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(message.length).toBeLessThanOrEqual(SLACK_MESSAGE_LIMIT);
    expect(messages.join('\n\n')).toBe(text);
    for (const message of messages)
      expect(message.startsWith('word') && message.endsWith(`-39`)).toBe(true);
  });

  it('never cuts inside a code block: a long block is closed and reopened', () => {
    const code = Array.from({ length: 200 }, (_, i) => `SELECT ${i} AS n, 'row ${i}' AS label;`);
    const text = `Here is the query:\n\n\`\`\`\n${code.join('\n')}\n\`\`\`\n\nThat is all.`;
    const messages = splitSlackMessage(text, 1_000);
    expect(messages.length).toBeGreaterThan(3);
    const lines: string[] = [];
    for (const message of messages) {
      expect(message.length).toBeLessThanOrEqual(1_000);
      // Fences are balanced in every message.
      expect((message.match(/```/g) ?? []).length % 2).toBe(0);
      const blocks = message.match(/```\n([\s\S]*?)\n```/g) ?? [];
      for (const block of blocks) lines.push(...block.slice(4, -4).split('\n'));
    }
    expect(lines).toEqual(code);
  });

  it('never cuts inside a link, inline code or a formatted phrase', () => {
    const link = '<https://acme.example/deals/12345?view=full|the full Acme Corp deal record>';
    const atoms = [
      link,
      '`SELECT amount FROM deals`',
      '*very important phrase*',
      '_italic words here_',
    ];
    const line = Array.from({ length: 60 }, (_, i) => `${atoms[i % atoms.length]} filler${i}`).join(
      ' ',
    );
    const messages = splitSlackMessage(line, 500);
    expect(messages.length).toBeGreaterThan(5);
    for (const message of messages) {
      expect(message.length).toBeLessThanOrEqual(500);
      expect((message.match(/</g) ?? []).length).toBe((message.match(/>/g) ?? []).length);
      expect((message.match(/`/g) ?? []).length % 2).toBe(0);
      expect((message.match(/\*/g) ?? []).length % 2).toBe(0);
    }
    expect(messages.join(' ')).toBe(line);
  });

  it('degrades a link longer than a whole message to its label', () => {
    const link = `<https://acme.example/${'x'.repeat(600)}|Acme report>`;
    expect(splitSlackMessage(`See ${link} now`, 300)).toEqual(['See Acme report now']);
  });

  it('splits converted Markdown with a table and code intact at the default limit', () => {
    const rows = Array.from({ length: 150 }, (_, i) => `| Account ${i} | ${i * 1000} |`);
    const markdown = `# Pipeline\n\n| Account | Amount |\n|---|---|\n${rows.join('\n')}\n\nSummary **done**.`;
    const messages = splitSlackMessage(toSlackMrkdwn(markdown));
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      expect(message.length).toBeLessThanOrEqual(SLACK_MESSAGE_LIMIT);
      expect((message.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(messages.at(-1)).toMatch(/Summary \*done\*\.$/);
  });
});
