import { describe, expect, it } from 'vitest';
import { renderSlackMarkdown } from '../../src/viewer/slack-markdown';

describe('renderSlackMarkdown', () => {
  it('draws bold, italics, strike-through, code and bullets as Slack does', () => {
    const out = renderSlackMarkdown(
      '**Pipeline** is _up_ ~~down~~ `SELECT 1`\n- one\n  - two',
    ).value;
    expect(out).toContain('<b>Pipeline</b>');
    expect(out).toContain('<i>up</i>');
    expect(out).toContain('<s>down</s>');
    expect(out).toContain('<code>SELECT 1</code>');
    expect(out).toContain('<div class="li level-0">• one</div>');
    expect(out).toContain('<div class="li level-1">◦ two</div>');
  });

  it('shows HTML and Slack markup in an answer as text', () => {
    const out = renderSlackMarkdown(
      '<script>alert(1)</script> <img src=x onerror=alert(1)> <@U123|boss> <!channel>',
    ).value;
    expect(out).not.toMatch(/<script|<img|<@|<!/);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('&lt;@U123|boss&gt;');
  });

  it('links only http, https and mailto targets, and quotes cannot leave the href', () => {
    const out = renderSlackMarkdown(
      '[ok](https://example.com/a?b=1&c=2) [bad](javascript:alert(1)) [q](https://x.test/"onmouseover="alert(1))',
    ).value;
    expect(out).toContain(
      '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">ok</a>',
    );
    expect(out).not.toContain('href="javascript');
    expect(out).not.toMatch(/"onmouseover=/);
  });

  it('draws a table as a monospace block and keeps code blocks unformatted', () => {
    const out = renderSlackMarkdown(
      '| a | b |\n|---|---|\n| 1 | **2** |\n\n```\n**not bold** <b>\n```',
    ).value;
    expect(out).toContain('<pre class="code">a  b\n1  **2**</pre>');
    expect(out).toContain('<pre class="code">**not bold** &lt;b&gt;</pre>');
  });
});
