import { describe, expect, it } from 'vitest';
import { markdownToPlainText } from '../../webhook-processor/markdown-to-plain-text';

describe('markdownToPlainText', () => {
  it.each([
    ['# Title', 'Title'],
    ['### Pipeline ###', 'Pipeline'],
    ['**bold** and __strong__', 'bold and strong'],
    ['*italic* and _emphasis_', 'italic and emphasis'],
    ['first_name and snake_case_names stay', 'first_name and snake_case_names stay'],
    ['2 * 3 * 4 = 24', '2 * 3 * 4 = 24'],
    ['~~old~~ new', 'old new'],
    ['run `SELECT *` now', 'run SELECT * now'],
    ['`**not bold**`', '**not bold**'],
    [
      'see [the report](https://crm.example.com/r/1)',
      'see the report (https://crm.example.com/r/1)',
    ],
    ['[https://x.example.com](https://x.example.com)', 'https://x.example.com'],
    ['<https://x.example.com/a>', 'https://x.example.com/a'],
    ['![chart](https://img.example.com/c.png)', 'chart'],
    ['> quoted *text*', 'quoted text'],
    ['* one\n+ two\n- three', '- one\n- two\n- three'],
    ['1. first\n2. second', '1. first\n2. second'],
    ['\\*literal\\* stars', '*literal* stars'],
    ['line<br>break', 'line\nbreak'],
  ])('%j → %j', (markdown, plain) => {
    expect(markdownToPlainText(markdown)).toBe(plain);
  });

  it('keeps table cells and drops the separator row', () => {
    const table =
      '| Deal | Stage | Amount |\n|------|:-----:|-------:|\n| Renewal | **Negotiation** | $400,000 |';
    expect(markdownToPlainText(table)).toBe(
      'Deal | Stage | Amount\nRenewal | Negotiation | $400,000',
    );
  });

  it('keeps code blocks verbatim without their fences', () => {
    expect(markdownToPlainText('Query:\n```sql\nSELECT **x** FROM deals\n```\nDone')).toBe(
      'Query:\nSELECT **x** FROM deals\nDone',
    );
  });

  it('drops horizontal rules and collapses blank runs', () => {
    expect(markdownToPlainText('Above\n\n---\n\n\n\nBelow\r\n')).toBe('Above\n\nBelow');
  });
});
