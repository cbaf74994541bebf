import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from '../../src/viewer/html';

describe('html', () => {
  it('escapes every interpolated value, including attribute quotes', () => {
    const probe = `"><script>alert(1)</script><img src=x onerror='alert(2)'>`;
    const out = html`<a title="${probe}">${probe}</a>`.value;
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<img');
    expect(out).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(2)&#39;&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(2)&#39;&gt;</a>',
    );
  });

  it('keeps SafeHtml as markup and escapes arrays item by item', () => {
    expect(html`<ul>${['<b>', trusted('<li>ok</li>')]}</ul>`.value).toBe(
      '<ul>&lt;b&gt;<li>ok</li></ul>',
    );
    expect(escapeHtml('a & b `c`')).toBe('a &amp; b &#96;c&#96;');
  });
});
