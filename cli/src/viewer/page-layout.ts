/** The page shell every viewer page shares: title, navigation, the local stylesheet and script. */
import { html, type SafeHtml } from './html';

export interface PageContext {
  /** Where the viewer is mounted, e.g. `/conversations`. */
  base: string;
  /** `s3://bucket` or the local folder the records come from. */
  source: string;
}

export function pageLayout(
  context: PageContext,
  page: { title: string; current: 'list' | 'overview' | 'conversation'; body: SafeHtml },
): string {
  const { base } = context;
  const link = (href: string, label: string, current: boolean) =>
    html`<a href="${href}"${current ? html` aria-current="page"` : ''}>${label}</a>`;
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · RevBot conversations</title>
<link rel="stylesheet" href="${base}/assets/viewer.css">
<script src="${base}/assets/viewer.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<span class="brand">RevBot</span>
<nav aria-label="Viewer">
${link(base, 'Conversations', page.current === 'list')}
${link(`${base}/overview`, 'Overview', page.current === 'overview')}
</nav>
<span class="source" title="Records read from">${context.source}</span>
</header>
<main id="main" tabindex="-1">
${page.body}
</main>
</body>
</html>`}\n`;
}

export const formatMs = (ms: number | null | undefined): string => {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
};

export const formatUtc = (ms: number): string =>
  new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

export const formatCost = (usd: number | null | undefined): string =>
  usd === null || usd === undefined ? '–' : `$${usd.toFixed(usd < 0.01 ? 4 : 2)}`;

export const formatNumber = (n: number): string => n.toLocaleString('en-US');
