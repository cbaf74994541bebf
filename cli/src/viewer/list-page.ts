/** The list page: filters, the matching conversations newest first, fifty a page. */
import {
  FEEDBACK_FILTERS,
  type Filters,
  filterQuery,
  QUALITY_BANDS,
  qualityBand,
} from './conversation-filters';
import type { Page } from './conversation-index';
import type { ConversationSummary } from './conversation-summary';
import { html, type SafeHtml } from './html';
import { formatMs, formatUtc, type PageContext, pageLayout } from './page-layout';

const STATUSES = ['completed', 'failed', 'incomplete', 'blocked_by_guardrail', 'returned_control'];

function select(
  name: string,
  label: string,
  options: readonly string[],
  value: string | undefined,
): SafeHtml {
  return html`<div class="field"><label for="f-${name}">${label}</label>
<select id="f-${name}" name="${name}" data-autosubmit>
<option value="">all</option>
${options.map((option) => html`<option${option === value ? html` selected` : ''}>${option}</option>`)}
</select></div>`;
}

export function filterForm(
  action: string,
  filters: Partial<Filters>,
  facets: { channels: string[]; users: string[]; agents: string[] },
  options: { datesOnly?: boolean } = {},
): SafeHtml {
  const dates = html`<div class="field"><label for="f-from">From (UTC)</label>
<input type="date" id="f-from" name="from" value="${filters.from ?? ''}"></div>
<div class="field"><label for="f-to">To (UTC)</label>
<input type="date" id="f-to" name="to" value="${filters.to ?? ''}"></div>`;
  const rest = options.datesOnly
    ? ''
    : html`${select('channel', 'Channel', ['slack', 'webhook', 'replay', ...facets.channels], filters.channel)}
${select('user', 'User', facets.users, filters.user)}
${select('agent', 'Agent', facets.agents, filters.agent)}
${select('status', 'Status', STATUSES, filters.status)}
${select('quality', 'Quality', QUALITY_BANDS, filters.quality)}
${select('feedback', 'Feedback', FEEDBACK_FILTERS, filters.feedback)}
<div class="field grow"><label for="f-q">Search</label>
<input type="search" id="f-q" name="q" value="${filters.q ?? ''}" placeholder="question, answer, id… ( / )"></div>`;
  return html`<form class="filters" method="get" action="${action}" role="search" aria-label="Filter conversations">
${dates}
${rest}
<div class="field actions"><button type="submit">Apply</button> <a href="${action}">Clear</a></div>
</form>`;
}

const feedbackCell = (s: ConversationSummary) =>
  s.feedback.positive + s.feedback.negative === 0
    ? '–'
    : `👍 ${s.feedback.positive} · 👎 ${s.feedback.negative}`;

export function renderListPage(
  context: PageContext,
  filters: Filters,
  page: Page<ConversationSummary>,
  facets: { channels: string[]; users: string[]; agents: string[] },
  error?: string,
): string {
  const { base } = context;
  const rows = page.items.map(
    (s) => html`<tr>
<td><time datetime="${new Date(s.startedAt).toISOString()}">${formatUtc(s.startedAt)}</time></td>
<td class="question"><a href="${base}/c/${s.path}">${s.question || '(no question)'}</a></td>
<td>${s.channelKind} ${s.channel}</td>
<td>${s.user ?? '–'}</td>
<td>${s.agents.join(', ')}</td>
<td><span class="status status-${s.status}">${s.status}</span></td>
<td class="num">${formatMs(s.durationMs)}</td>
<td><span class="quality q-${qualityBand(s.quality)}">${s.quality === null ? '–' : s.quality.toFixed(2)}</span></td>
<td>${feedbackCell(s)}</td>
</tr>`,
  );
  const pager = html`<nav class="pager" aria-label="Pages">
${page.page > 1 ? html`<a rel="prev" href="${base}${filterQuery(filters, page.page - 1)}">← Newer</a>` : ''}
<span>Page ${page.page} of ${page.pages}</span>
${page.page < page.pages ? html`<a rel="next" href="${base}${filterQuery(filters, page.page + 1)}">Older →</a>` : ''}
</nav>`;
  const body = html`<h1>Conversations</h1>
${filterForm(base, filters, facets)}
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<p class="count" role="status" id="result-count">${page.total.toLocaleString('en-US')} ${page.total === 1 ? 'conversation' : 'conversations'}</p>
<table class="conversations" aria-describedby="result-count">
<thead><tr><th scope="col">Started (UTC)</th><th scope="col">Question</th><th scope="col">Channel</th><th scope="col">User</th><th scope="col">Agents</th><th scope="col">Status</th><th scope="col">Took</th><th scope="col">Quality</th><th scope="col">Feedback</th></tr></thead>
<tbody>
${rows.length > 0 ? rows : html`<tr><td colspan="9">No conversation matches these filters.</td></tr>`}
</tbody>
</table>
${pager}`;
  return pageLayout(context, { title: 'Conversations', current: 'list', body });
}
