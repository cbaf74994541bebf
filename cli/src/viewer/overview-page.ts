/**
 * The overview: conversations per day, p50/p95 answer time, failure rate, use per agent, the
 * feedback ratio and the most used SQL patterns. Charts are inline SVG (no script, no CDN), each
 * with a title and a table of the same figures for screen readers and copy-paste.
 */
import type { Filters } from './conversation-filters';
import { html, type SafeHtml } from './html';
import { filterForm } from './list-page';
import type { OverviewStats } from './overview-stats';
import { formatMs, formatNumber, type PageContext, pageLayout } from './page-layout';

/** The overview's charts, by element id. */
export const OVERVIEW_CHARTS = [
  'chart-per-day',
  'chart-answer-time',
  'chart-failure-rate',
  'chart-agents',
  'chart-feedback',
] as const;

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 48, right: 8, top: 8, bottom: 28 };

interface Series {
  name: string;
  className: string;
  values: (number | null)[];
}

/** A bar chart (one series) or a line chart (several) over the days. */
function dayChart(
  id: string,
  title: string,
  days: string[],
  series: Series[],
  format: (value: number) => string,
  kind: 'bar' | 'line',
): SafeHtml {
  const max = Math.max(
    1,
    ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)),
  );
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, days.length);
  const x = (i: number) => PAD.left + i * step;
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const marks = series.map((s) => {
    if (kind === 'bar') {
      return s.values.map((v, i) =>
        v === null
          ? ''
          : html`<rect class="${s.className}" x="${(x(i) + step * 0.1).toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, step * 0.8).toFixed(1)}" height="${(PAD.top + plotH - y(v)).toFixed(1)}"><title>${days[i]}: ${format(v)}</title></rect>`,
      );
    }
    const points = s.values
      .map((v, i) => (v === null ? null : `${(x(i) + step / 2).toFixed(1)},${y(v).toFixed(1)}`))
      .filter(Boolean)
      .join(' ');
    return html`<polyline class="${s.className}" fill="none" points="${points}"></polyline>
${s.values.map((v, i) => (v === null ? '' : html`<circle class="${s.className}" cx="${(x(i) + step / 2).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3"><title>${days[i]} ${s.name}: ${format(v)}</title></circle>`))}`;
  });
  const labelEvery = Math.max(1, Math.ceil(days.length / 8));
  return html`<figure class="chart" id="${id}">
<figcaption>${title}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title">
<title id="${id}-title">${title}</title>
<line class="axis" x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotH}"></line>
<text class="tick" x="${PAD.left - 4}" y="${PAD.top + 10}" text-anchor="end">${format(max)}</text>
<text class="tick" x="${PAD.left - 4}" y="${PAD.top + plotH}" text-anchor="end">0</text>
${days.map((day, i) => (i % labelEvery === 0 ? html`<text class="tick" x="${(x(i) + step / 2).toFixed(1)}" y="${HEIGHT - 8}" text-anchor="middle">${day.slice(5)}</text>` : ''))}
${marks}
</svg>
${series.length > 1 ? html`<p class="legend">${series.map((s) => html`<span class="key ${s.className}">${s.name}</span> `)}</p>` : ''}
<details><summary>Figures</summary><table><thead><tr><th scope="col">Day</th>${series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead>
<tbody>${days.map((day, i) => html`<tr><td>${day}</td>${series.map((s) => html`<td class="num">${s.values[i] === null ? '–' : format(s.values[i] as number)}</td>`)}</tr>`)}</tbody></table></details>
</figure>`;
}

/** Horizontal bars, one per named value. */
function barList(id: string, title: string, items: { name: string; value: number }[]): SafeHtml {
  const max = Math.max(1, ...items.map((i) => i.value));
  const rowH = 22;
  const labelW = 220;
  const height = Math.max(rowH, items.length * rowH);
  return html`<figure class="chart" id="${id}">
<figcaption>${title}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}-title">
<title id="${id}-title">${title}</title>
${items.map(
  (
    item,
    i,
  ) => html`<text class="tick" x="${labelW - 6}" y="${i * rowH + 15}" text-anchor="end">${item.name}</text>
<rect class="s-agent" x="${labelW}" y="${i * rowH + 3}" width="${(((WIDTH - labelW - 60) * item.value) / max).toFixed(1)}" height="${rowH - 6}"><title>${item.name}: ${item.value}</title></rect>
<text class="tick" x="${(labelW + ((WIDTH - labelW - 60) * item.value) / max + 4).toFixed(1)}" y="${i * rowH + 15}">${formatNumber(item.value)}</text>`,
)}
</svg>
</figure>`;
}

function feedbackChart(feedback: { positive: number; negative: number }): SafeHtml {
  const total = feedback.positive + feedback.negative;
  const share = total === 0 ? 0 : feedback.positive / total;
  const w = WIDTH - 16;
  return html`<figure class="chart" id="chart-feedback">
<figcaption>Feedback ratio</figcaption>
<svg viewBox="0 0 ${WIDTH} 40" role="img" aria-labelledby="chart-feedback-title">
<title id="chart-feedback-title">Feedback: ${feedback.positive} positive, ${feedback.negative} negative</title>
${total === 0 ? html`<rect class="s-none" x="8" y="8" width="${w}" height="24"></rect>` : html`<rect class="s-positive" x="8" y="8" width="${(w * share).toFixed(1)}" height="24"></rect><rect class="s-negative" x="${(8 + w * share).toFixed(1)}" y="8" width="${(w * (1 - share)).toFixed(1)}" height="24"></rect>`}
</svg>
<p>${total === 0 ? 'No feedback yet.' : `👍 ${feedback.positive} · 👎 ${feedback.negative} (${Math.round(share * 100)}% positive)`}</p>
</figure>`;
}

export function renderOverviewPage(
  context: PageContext,
  filters: Filters,
  stats: OverviewStats,
  unreadable: number,
): string {
  const days = stats.days.map((d) => d.day);
  const failureRate = stats.total === 0 ? 0 : stats.failures / stats.total;
  const percent = (v: number) => `${Math.round(v * 100)}%`;
  const body = html`<h1>Overview</h1>
${filterForm(`${context.base}/overview`, filters, { channels: [], users: [], agents: [] }, { datesOnly: true })}
<dl class="stats head">
<dt>Conversations</dt><dd>${formatNumber(stats.total)}</dd>
<dt>Answer time p50</dt><dd>${formatMs(stats.p50Ms)}</dd>
<dt>Answer time p95</dt><dd>${formatMs(stats.p95Ms)}</dd>
<dt>Failure rate</dt><dd>${percent(failureRate)} (${formatNumber(stats.failures)})</dd>
${unreadable > 0 ? html`<dt>Unreadable records</dt><dd>${unreadable}</dd>` : ''}
</dl>
<div class="charts">
${dayChart('chart-per-day', 'Conversations per day', days, [{ name: 'conversations', className: 's-count', values: stats.days.map((d) => d.conversations) }], formatNumber, 'bar')}
${dayChart(
  'chart-answer-time',
  'Answer time per day, p50 and p95',
  days,
  [
    { name: 'p50', className: 's-p50', values: stats.days.map((d) => d.p50Ms) },
    { name: 'p95', className: 's-p95', values: stats.days.map((d) => d.p95Ms) },
  ],
  formatMs,
  'line',
)}
${dayChart('chart-failure-rate', 'Failure rate per day', days, [{ name: 'failure rate', className: 's-failure', values: stats.days.map((d) => (d.conversations === 0 ? null : d.failures / d.conversations)) }], percent, 'bar')}
${barList(
  'chart-agents',
  'Conversations per agent',
  stats.agents.map((a) => ({ name: a.name, value: a.conversations })),
)}
${feedbackChart(stats.feedback)}
</div>
<section aria-labelledby="h-sql"><h2 id="h-sql">Most used SQL patterns</h2>
${
  stats.sqlPatterns.length === 0
    ? html`<p>No SQL recorded.</p>`
    : html`<table class="sql-patterns"><thead><tr><th scope="col">Conversations</th><th scope="col">Pattern (literals replaced by ?)</th></tr></thead>
<tbody>${stats.sqlPatterns.map((p) => html`<tr><td class="num">${formatNumber(p.conversations)}</td><td><pre class="sql">${p.pattern}</pre></td></tr>`)}</tbody></table>`
}
</section>`;
  return pageLayout(context, { title: 'Overview', current: 'overview', body });
}
