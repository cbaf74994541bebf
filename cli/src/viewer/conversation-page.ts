/**
 * One conversation: the question, the answer as Slack shows it, the waterfall of agent runs,
 * model calls, tool calls, knowledge-base lookups and guardrails (each a `<details>` that opens
 * on click or Enter), usage and cost, the quality checks, feedback and the raw files.
 * Prompts are never in a record (only their fingerprints), so none can reach this page.
 */
import type { Conversation, ConversationMetadata, ToolCall } from '@revbot/monitoring';
import type { ConversationSummary } from './conversation-summary';
import { channelOf } from './conversation-summary';
import { html, type SafeHtml } from './html';
import {
  formatCost,
  formatMs,
  formatNumber,
  formatUtc,
  type PageContext,
  pageLayout,
} from './page-layout';
import { renderSlackMarkdown } from './slack-markdown';
import { buildWaterfall, type WaterfallItem, type WaterfallRow } from './waterfall';

/** Rows of a query result shown before "and N more". */
const MAX_RESULT_ROWS = 50;

const SQL_START = /^\s*(?:with|select)\b/i;

function pre(text: string | null, className = 'text'): SafeHtml {
  return text ? html`<pre class="${className}">${text}</pre>` : html``;
}

/** `{"columns":[…],"rows":[[…]]}` (the warehouse tool's result) as a table. */
function resultTable(result: string): SafeHtml | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result);
  } catch {
    return undefined;
  }
  const value = parsed as { columns?: unknown; rows?: unknown };
  if (!Array.isArray(value.columns) || !Array.isArray(value.rows)) return undefined;
  const rows = value.rows as unknown[];
  const cell = (v: unknown) =>
    v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return html`<div class="scroll"><table class="rows">
<caption>${formatNumber(rows.length)} ${rows.length === 1 ? 'row' : 'rows'} returned</caption>
<thead><tr>${(value.columns as unknown[]).map((c) => html`<th scope="col">${cell(c)}</th>`)}</tr></thead>
<tbody>${rows.slice(0, MAX_RESULT_ROWS).map((row) => html`<tr>${(Array.isArray(row) ? row : [row]).map((v) => html`<td>${cell(v)}</td>`)}</tr>`)}</tbody>
</table>${rows.length > MAX_RESULT_ROWS ? html`<p>and ${formatNumber(rows.length - MAX_RESULT_ROWS)} more</p>` : ''}</div>`;
}

const STATUS_FIELDS = ['receiver_status', 'http_status', 'status_code', 'statusCode', 'status'];

/**
 * The HTTP status a tool reported (the webhook executor's `receiver_status`, possibly inside
 * the tool's response envelope), when its result says one.
 */
export function httpStatusOf(result: string | null): number | undefined {
  if (!result) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(result);
  } catch {
    const match = /\bHTTP (\d{3})\b/.exec(result);
    return match ? Number(match[1]) : undefined;
  }
  const find = (value: unknown, depth: number): number | undefined => {
    if (!value || typeof value !== 'object' || Array.isArray(value) || depth > 3) return undefined;
    const record = value as Record<string, unknown>;
    for (const name of STATUS_FIELDS) {
      const status = record[name];
      if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status < 600)
        return status;
    }
    for (const nested of Object.values(record)) {
      const found = find(nested, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return find(parsed, 0);
}

function toolDetails(call: ToolCall): SafeHtml {
  const parameters = [...call.parameters, ...(call.request_body?.properties ?? [])];
  const sql = parameters.filter((p) => p.value && SQL_START.test(p.value));
  const others = parameters.filter((p) => !sql.includes(p));
  const status = httpStatusOf(call.result);
  return html`${sql.map((p) => html`<h4>SQL sent${p.name ? ` (${p.name})` : ''}</h4><pre class="sql">${p.value}</pre>`)}
${others.length > 0 ? html`<h4>Parameters</h4><dl class="params">${others.map((p) => html`<dt>${p.name ?? '?'}</dt><dd>${p.value ?? 'null'}</dd>`)}</dl>` : ''}
${call.code ? html`<h4>Code</h4>${pre(call.code, 'code')}` : ''}
${status !== undefined ? html`<p>HTTP status: <strong class="http">${status}</strong></p>` : ''}
<h4>Result${call.result_truncated ? html` (clipped, ${formatNumber(call.result_chars)} characters in all)` : ''}</h4>
${call.result ? (resultTable(call.result) ?? pre(call.result)) : html`<p>No result recorded.</p>`}`;
}

function itemSummary(item: WaterfallItem): { kind: string; label: string; status?: string } {
  switch (item.kind) {
    case 'agent':
      return { kind: 'Agent', label: item.run.agent_name, status: item.run.status };
    case 'model':
      return {
        kind: 'Model',
        label: `${item.step.phase.replace(/_/g, ' ')}${item.step.model ? ` · ${item.step.model}` : ''}`,
      };
    case 'tool':
      return {
        kind: 'Tool',
        label:
          [item.call.action_group, item.call.function ?? item.call.api_path]
            .filter(Boolean)
            .join(' · ') || item.call.kind,
        status: item.call.status,
      };
    case 'knowledge_base':
      return {
        kind: 'Knowledge base',
        label: item.lookup.query ?? item.lookup.knowledge_base_id ?? 'lookup',
        status: item.lookup.status,
      };
    case 'guardrail':
      return {
        kind: 'Guardrail',
        label: `${item.check.stage} · ${item.check.action ?? 'checked'}`,
        status: item.check.intervened ? 'intervened' : 'passed',
      };
  }
}

function itemDetails(item: WaterfallItem): SafeHtml {
  switch (item.kind) {
    case 'agent': {
      const run = item.run;
      return html`<dl class="params">
<dt>Agent id</dt><dd>${run.agent_id}${run.agent_version ? ` (version ${run.agent_version})` : ''}</dd>
${run.caller_name ? html`<dt>Called by</dt><dd>${run.caller_name}</dd>` : ''}
<dt>Tokens</dt><dd>${formatNumber(run.usage.input_tokens)} in · ${formatNumber(run.usage.output_tokens)} out · ${formatNumber(run.usage.model_calls)} model calls</dd>
</dl>
${run.input ? html`<h4>Message from its caller</h4>${pre(run.input)}` : ''}
${run.output ? html`<h4>Its answer</h4>${pre(run.output)}` : ''}`;
    }
    case 'model': {
      const step = item.step;
      return html`<dl class="params">
${step.model ? html`<dt>Model</dt><dd>${step.model}</dd>` : ''}
${step.usage ? html`<dt>Tokens</dt><dd>${formatNumber(step.usage.input_tokens)} in · ${formatNumber(step.usage.output_tokens)} out</dd>` : ''}
${step.prompt ? html`<dt>Prompt</dt><dd>not kept; ${formatNumber(step.prompt.length)} characters, sha256 <code>${step.prompt.sha256.slice(0, 12)}…</code></dd>` : ''}
${step.routing_decision ? html`<dt>Routed to</dt><dd>${step.routing_decision}</dd>` : ''}
</dl>
${step.rationale ? html`<h4>Rationale</h4>${pre(step.rationale)}` : ''}
${step.reasoning ? html`<h4>Reasoning</h4>${pre(step.reasoning)}` : ''}
${step.model_output ? html`<h4>Model output${step.model_output_truncated ? ' (clipped)' : ''}</h4>${pre(step.model_output)}` : ''}`;
    }
    case 'tool':
      return toolDetails(item.call);
    case 'knowledge_base': {
      const lookup = item.lookup;
      return html`<dl class="params"><dt>Knowledge base</dt><dd>${lookup.knowledge_base_id ?? '?'}</dd><dt>Query</dt><dd>${lookup.query ?? '–'}</dd></dl>
<h4>${formatNumber(lookup.reference_count)} passages retrieved</h4>
<ol class="passages">${lookup.references.map((r) => html`<li><p class="source">${r.source_uri ?? r.location_type ?? 'unknown source'}</p>${pre(r.excerpt)}</li>`)}</ol>`;
    }
    case 'guardrail':
      return html`<ul>${item.check.findings.map((f) => html`<li>${f.policy}: ${f.type ?? '?'} → ${f.action ?? '?'}${f.confidence ? ` (${f.confidence})` : ''}</li>`)}</ul>
${item.check.findings.length === 0 ? html`<p>No policy matched.</p>` : ''}`;
  }
}

function waterfallRow(row: WaterfallRow): SafeHtml {
  const summary = itemSummary(row.item);
  const bar =
    row.startMs === null
      ? html`<span class="no-time">no time recorded</span>`
      : html`<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="k-${row.item.kind}" x="${row.offsetPct.toFixed(3)}" y="1" width="${row.widthPct.toFixed(3)}" height="8"></rect></svg>`;
  const at = row.startMs === null ? '' : `+${formatMs(row.startMs)}`;
  return html`<li class="row k-${row.item.kind} depth-${Math.min(row.depth, 6)}" data-kind="${row.item.kind}">
<details>
<summary><span class="label"><span class="kind">${summary.kind}</span> ${summary.label}${summary.status ? html` <span class="status status-${summary.status}">${summary.status}</span>` : ''}</span>
<span class="timing">${at} · ${formatMs(row.durationMs)}</span>
${bar}</summary>
<div class="detail">${itemDetails(row.item)}</div>
</details>
</li>`;
}

function usageSection(conversation: Conversation): SafeHtml {
  const { usage } = conversation;
  return html`<section aria-labelledby="h-usage"><h2 id="h-usage">Tokens and cost</h2>
<dl class="stats">
<dt>Input tokens</dt><dd>${formatNumber(usage.input_tokens)}</dd>
<dt>Output tokens</dt><dd>${formatNumber(usage.output_tokens)}</dd>
<dt>Model calls</dt><dd>${formatNumber(usage.model_calls)}</dd>
<dt>Estimated cost</dt><dd>${usage.estimated_cost_usd === null ? 'not recorded (no prices configured)' : formatCost(usage.estimated_cost_usd)}</dd>
</dl>
${
  usage.by_model.length > 0
    ? html`<table><caption>By model</caption><thead><tr><th scope="col">Model</th><th scope="col">Calls</th><th scope="col">Input</th><th scope="col">Output</th><th scope="col">Cost</th></tr></thead>
<tbody>${usage.by_model.map((m) => html`<tr><td>${m.model}</td><td class="num">${formatNumber(m.model_calls)}</td><td class="num">${formatNumber(m.input_tokens)}</td><td class="num">${formatNumber(m.output_tokens)}</td><td class="num">${formatCost(m.estimated_cost_usd)}</td></tr>`)}</tbody></table>`
    : ''
}
</section>`;
}

function qualitySection(metadata: ConversationMetadata | undefined): SafeHtml {
  if (!metadata)
    return html`<section aria-labelledby="h-quality"><h2 id="h-quality">Quality checks</h2><p>No metadata.json for this conversation.</p></section>`;
  return html`<section aria-labelledby="h-quality"><h2 id="h-quality">Quality checks</h2>
<p>Score <strong>${metadata.quality.score.toFixed(2)}</strong>: ${metadata.quality.summary}</p>
<ul class="checks">${metadata.quality.checks.map((c) => html`<li class="${c.passed ? 'pass' : 'fail'}"><span class="mark" aria-hidden="true">${c.passed ? '✔' : '✘'}</span> <strong>${c.name.replace(/_/g, ' ')}</strong> <span class="visually-hidden">${c.passed ? 'passed' : 'failed'}</span> ${c.detail}</li>`)}</ul>
</section>`;
}

export function renderConversationPage(
  context: PageContext,
  input: {
    summary: ConversationSummary;
    conversation: Conversation;
    metadata: ConversationMetadata | undefined;
  },
): string {
  const { base } = context;
  const { conversation, metadata, summary } = input;
  const waterfall = buildWaterfall(conversation);
  const { channel, user } = channelOf(conversation);
  const answer = conversation.final_response.text;
  const body = html`<p class="crumbs"><a href="${base}">← All conversations</a></p>
<h1>Conversation <code>${conversation.conversation_id}</code></h1>
<dl class="stats head">
<dt>Started</dt><dd>${formatUtc(summary.startedAt)} UTC</dd>
<dt>Channel</dt><dd>${conversation.channel.kind} ${channel}</dd>
${user ? html`<dt>User</dt><dd>${user}</dd>` : ''}
<dt>Status</dt><dd><span class="status status-${conversation.status}">${conversation.status}</span></dd>
<dt>Answer time</dt><dd>${formatMs(conversation.timing.duration_ms)}</dd>
<dt>First chunk</dt><dd>${formatMs(conversation.timing.time_to_first_chunk_ms)}</dd>
<dt>Feedback</dt><dd>${summary.feedback.positive + summary.feedback.negative === 0 ? 'none' : `👍 ${summary.feedback.positive} · 👎 ${summary.feedback.negative}`}</dd>
</dl>
<section aria-labelledby="h-question"><h2 id="h-question">Question</h2>
<blockquote class="question-text">${conversation.user_query ?? '(none recorded)'}</blockquote></section>
<section aria-labelledby="h-answer"><h2 id="h-answer">Answer, as Slack shows it</h2>
<div class="slack">${answer ? renderSlackMarkdown(answer) : html`<p>No answer.</p>`}</div>
${conversation.final_response.citations.length > 0 ? html`<h3>Sources</h3><ol>${conversation.final_response.citations.flatMap((c) => c.references).map((r) => html`<li>${r.source_uri ?? 'unknown source'}</li>`)}</ol>` : ''}
</section>
<section aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline</h2>
<p>${formatNumber(waterfall.rows.length)} steps over ${formatMs(waterfall.totalMs)}. <button type="button" data-expand="all">Expand all</button> <button type="button" data-expand="none">Collapse all</button></p>
<ol class="waterfall" aria-label="Agent runs, model calls, tool calls and lookups in start order">
${waterfall.rows.map((row) => waterfallRow(row))}
</ol>
</section>
${conversation.errors.length > 0 ? html`<section aria-labelledby="h-errors"><h2 id="h-errors">Errors</h2><ul>${conversation.errors.map((e) => html`<li><strong>${e.kind}</strong>: ${e.message}</li>`)}</ul></section>` : ''}
${usageSection(conversation)}
${qualitySection(metadata)}
<section aria-labelledby="h-raw"><h2 id="h-raw">Raw record</h2>
<ul><li><a href="${base}/raw/${summary.path}/conversation.json">conversation.json</a></li>
<li><a href="${base}/raw/${summary.path}/metadata.json">metadata.json</a></li></ul></section>`;
  return pageLayout(context, {
    title: conversation.user_query?.slice(0, 80) || conversation.conversation_id,
    current: 'conversation',
    body,
  });
}
