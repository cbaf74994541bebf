/**
 * The offline model through the whole portable runtime (the factory, the orchestrator, the real
 * tools in process on the embedded warehouse, the local Gong and search APIs, the local knowledge
 * base): each documented example question, with the figures checked against the warehouse by
 * independent SQL.
 */

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '@revbot/core';
import type { SqlValue } from '@revbot/lambdas/warehouse';
import { buildConversationRecord } from '@revbot/monitoring';
import { type LocalToolStack, startLocalToolStack } from '@revbot/testing/local-tool-stack';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@revbot/testing/webhook-receiver';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRuntime, AgentStreamEvent } from '../../src';
import { KNOWLEDGE_BASE_DIR } from '../../src/knowledge-base/warehouse-schema';
import { ICP_RUBRIC } from '../../src/offline/lead-assessment';
import { COLLABORATORS } from '../../src/offline/manager';
import { longDate, money } from '../../src/offline/text';
import { createAgentRuntime } from '../../src/runtime/create-agent-runtime';

const AS_OF = '2026-11-23';
const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
let stack: LocalToolStack;
let runtime: AgentRuntime;
/** The team's notification channel: a local receiver of the signed notifications. */
let receiver: WebhookReceiver;
let notifications: ReceivedRequest[];

beforeAll(async () => {
  receiver = await startWebhookReceiver({ fallback: { status: 200 } });
  notifications = receiver.requests;
  const base = receiver.url;
  stack = await startLocalToolStack({
    asOf: AS_OF,
    logger: silentLogger,
    webhook: {
      allowedUrls: `${base}/`,
      notificationUrl: `${base}/notify`,
      signingSecret: SIGNING_SECRET,
    },
  });
  runtime = createAgentRuntime(
    {
      AGENT_RUNTIME: 'offline',
      OFFLINE_TODAY: AS_OF,
      // This suite follows the offline model's answers; approvals have their own tests.
      AGENT_ACTIONS_WITHOUT_APPROVAL: 'webhook_executor,firebolt_writer',
    },
    { tools: stack.tools, logger: silentLogger },
  );
});
afterAll(async () => {
  await stack.close();
  await receiver.close();
});

interface Answer {
  text: string;
  events: AgentStreamEvent[];
  /** `Agent:invocationType:detail` per invocation input, in order. */
  steps: string[];
}

let sessions = 0;
async function ask(question: string, sessionId = `offline-${++sessions}`): Promise<Answer> {
  const events: AgentStreamEvent[] = [];
  for await (const event of runtime.ask({ question, sessionId })) events.push(event);
  const text = events
    .filter((e) => e.chunk)
    .map((e) => new TextDecoder().decode(e.chunk!.bytes))
    .join('');
  const steps = events.flatMap((e) => {
    const input = e.trace?.trace?.orchestrationTrace?.invocationInput;
    if (!input) return [];
    const who = e.trace?.collaboratorName ?? 'Manager';
    const detail =
      input.actionGroupInvocationInput?.function ??
      input.agentCollaboratorInvocationInput?.agentCollaboratorName ??
      '';
    return [`${who}:${input.invocationType}${detail ? `:${detail}` : ''}`];
  });
  return { text, events, steps };
}

async function sql(query: string): Promise<Record<string, SqlValue>[]> {
  const result = await stack.warehouse.query(query, { maxRows: 500, timeoutMs: 10_000 });
  return result.rows.map((row) =>
    Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null])),
  );
}

describe('the offline model', () => {
  it('answers "What\'s the status of the IXIS deal?" with a MEDDPICC review of the warehouse’s IXIS deal', async () => {
    const answer = await ask("What's the status of the IXIS deal?");
    expect(answer.steps[0]).toBe('Manager:AGENT_COLLABORATOR:DealAnalysisAgent');
    expect(answer.steps.slice(1)).toEqual([
      'DealAnalysisAgent:ACTION_GROUP:execute_query',
      'DealAnalysisAgent:ACTION_GROUP:execute_query',
      'DealAnalysisAgent:ACTION_GROUP:execute_query',
      'DealAnalysisAgent:ACTION_GROUP:execute_query',
      'DealAnalysisAgent:KNOWLEDGE_BASE',
    ]);
    const [deal] = await sql(
      "SELECT opportunity_name, stage, probability, arr, close_date, fiscal_quarter, owner_name, forecast_category, meddpicc_paper_process FROM opportunities WHERE account_name = 'IXIS' AND is_closed = false ORDER BY arr DESC LIMIT 1",
    );
    expect(deal).toMatchObject({
      stage: 'Negotiate',
      probability: 75,
      arr: 2_100_000,
      owner_name: 'Sarah Johnson',
    });
    const [headline, stageLine] = answer.text.split('\n');
    expect(headline).toMatch(
      new RegExp(`^\\*\\*IXIS — ${deal!.opportunity_name}: (on track|at risk|critical), `),
    );
    expect(stageLine).toBe(
      `${deal!.stage} (${deal!.probability}%) · ${money(deal!.arr)} ARR · closes ${longDate(deal!.close_date)} (${deal!.fiscal_quarter}) · owner ${deal!.owner_name} · ${deal!.forecast_category}`,
    );
    // Eight elements, each 0-5, adding up to the total.
    const elements = [
      ...answer.text.matchAll(
        /^- (Metrics|Economic buyer|Decision criteria|Decision process|Paper process|Identify pain|Champion|Competition) (\d)\/5 — /gm,
      ),
    ];
    expect(elements.map((m) => m[1])).toEqual([
      'Metrics',
      'Economic buyer',
      'Decision criteria',
      'Decision process',
      'Paper process',
      'Identify pain',
      'Champion',
      'Competition',
    ]);
    const total = elements.reduce((sum, m) => sum + Number(m[2]), 0);
    expect(answer.text).toContain(`**MEDDPICC ${total}/40** (Negotiate minimum 30)`);
    // The evidence is the warehouse's: the economic buyer and the missing paper process.
    const [buyer] = await sql(
      "SELECT c.full_name, c.last_engaged_date FROM contacts c JOIN accounts a ON a.account_id = c.account_id WHERE a.account_name = 'IXIS' AND c.buying_role = 'Economic Buyer'",
    );
    expect(answer.text).toContain(`${buyer!.full_name} (`);
    expect(answer.text).toContain(`last engaged ${longDate(buyer!.last_engaged_date)}`);
    expect(deal!.meddpicc_paper_process).toBeNull();
    expect(answer.text).toContain('- Paper process 0/5 — not recorded');
    expect(answer.text).toContain('**Risks**');
    expect(answer.text).toContain('**Next steps**\n- Sarah Johnson: ');
  });

  it('assesses John Smith at DataCorp with an ICP score whose points come from his lead row and dated web research', async () => {
    const answer = await ask('Assess John Smith at DataCorp');
    expect(answer.steps).toEqual([
      'Manager:AGENT_COLLABORATOR:LeadAnalysisAgent',
      'LeadAnalysisAgent:ACTION_GROUP:execute_query',
      'LeadAnalysisAgent:ACTION_GROUP:execute_query',
      'LeadAnalysisAgent:ACTION_GROUP:execute_query',
      'LeadAnalysisAgent:ACTION_GROUP:research_company',
      'LeadAnalysisAgent:KNOWLEDGE_BASE',
    ]);
    const [lead] = await sql(
      "SELECT lead_id, title, employee_count, industry, region, annual_revenue, tech_stack, lead_source, website_visits_30d, content_downloads_30d, email_opens_30d, last_activity_date, owner_name FROM leads WHERE full_name = 'John Smith' AND company = 'DataCorp'",
    );
    const headline = answer.text.split('\n')[0]!;
    const score = Number(/ICP (\d+)\/100 \(grade ([A-D])\)/.exec(headline)?.[1]);
    const grade = /grade ([A-D])/.exec(headline)?.[1];
    expect(headline.startsWith(`**John Smith, ${lead!.title} at DataCorp: ICP `)).toBe(true);
    // Sections add up to the score; the grade follows the rubric's bands.
    const sections = [
      ...answer.text.matchAll(
        /^- (Firmographics|Technology|Growth and timing|Engagement) (\d+)\/(\d+) — /gm,
      ),
    ];
    expect(sections.map((s) => s[1])).toEqual([
      'Firmographics',
      'Technology',
      'Growth and timing',
      'Engagement',
    ]);
    expect(sections.reduce((sum, s) => sum + Number(s[2]), 0)).toBe(score);
    expect(grade).toBe(score >= 80 ? 'A' : score >= 60 ? 'B' : score >= 40 ? 'C' : 'D');
    // Firmographics and engagement facts are the lead row's.
    expect(answer.text).toContain(
      `${Number(lead!.employee_count).toLocaleString('en-US')} employees (+10)`,
    );
    expect(answer.text).toContain(`${lead!.industry} (+10)`);
    expect(answer.text).toContain(`${lead!.website_visits_30d} site visits (+6)`);
    expect(answer.text).toContain(`${lead!.content_downloads_30d} downloads (+5)`);
    expect(answer.text).toContain(`${lead!.lead_source} lead (+4)`);
    // Growth signals only from dated research, each with its source; undated ones are gaps.
    expect(answer.text).toMatch(
      /new data leadership \(\[DataCorp hires John Smith as VP of Data Engineering\]\(https:\/\/news\.example\/datacorp-john-smith\), Oct 19, 2026\) \(\+4\)/,
    );
    expect(answer.text).toContain(
      'funding: reported without a date (https://news.example/datacorp-series-d), not counted',
    );
    expect(answer.text).toContain('New logo: no account named DataCorp in the warehouse');
    expect(answer.text).toContain(`Lead owner ${lead!.owner_name}`);
    expect(answer.text).toContain(
      `To save it: lead ${lead!.lead_id}, score ${score}, grade ${grade}.`,
    );
    expect(score).toBe(87);
  });

  it('answers "What\'s our pipeline this quarter?" with the warehouse’s open pipeline for 2026-Q4', async () => {
    const answer = await ask("What's our pipeline this quarter?");
    expect(answer.steps).toEqual([
      'Manager:AGENT_COLLABORATOR:DataAgent',
      'DataAgent:ACTION_GROUP:execute_query',
      'DataAgent:ACTION_GROUP:execute_query',
    ]);
    const [totals] = await sql(
      "SELECT COUNT(*) AS deals, SUM(arr) AS arr, SUM(arr * probability / 100.0) AS weighted, SUM(CASE WHEN forecast_category = 'Commit' THEN arr ELSE 0 END) AS commit_arr FROM opportunities WHERE is_closed = false AND fiscal_quarter = '2026-Q4'",
    );
    expect(answer.text.split('\n')[0]).toBe(
      `**Open pipeline for 2026-Q4 is ${money(totals!.arr)} ARR across ${totals!.deals} deals, ${money(totals!.weighted)} weighted (${money(totals!.commit_arr)} in Commit)**`,
    );
    const bySegment = await sql(
      "SELECT a.segment, COUNT(*) AS deals, SUM(o.arr) AS arr FROM opportunities o JOIN accounts a ON a.account_id = o.account_id WHERE o.is_closed = false AND o.fiscal_quarter = '2026-Q4' GROUP BY a.segment",
    );
    for (const row of bySegment) {
      expect(answer.text).toContain(`| ${row.segment} | ${row.deals} | ${money(row.arr)} |`);
    }
    expect(answer.text).toContain(`| **Total** | ${totals!.deals} | ${money(totals!.arr)} |`);
  });

  it('lists the competitors that came up in Acme Corp calls, per call, with what the customer said', async () => {
    const answer = await ask('Which competitors came up in our calls with Acme Corp?');
    expect(answer.steps).toEqual([
      'Manager:AGENT_COLLABORATOR:DataAgent',
      'DataAgent:ACTION_GROUP:execute_query',
    ]);
    const calls = await sql(
      "SELECT DISTINCT c.call_id, c.started_at, c.competitors_mentioned FROM gong_calls c JOIN gong_call_transcripts t ON t.call_id = c.call_id WHERE c.account_name = 'Acme Corp' AND c.competitors_mentioned IS NOT NULL AND (t.text ILIKE '%Snowflake%' OR t.text ILIKE '%Databricks%' OR t.text ILIKE '%BigQuery%' OR t.text ILIKE '%Redshift%' OR t.text ILIKE '%ClickHouse%') ORDER BY c.started_at",
    );
    expect(calls.length).toBeGreaterThan(1);
    const per = (name: string) =>
      calls.filter((c) => String(c.competitors_mentioned).includes(name)).length;
    const headline = answer.text.split('\n')[0]!;
    expect(headline).toContain(
      `Competitors came up in ${calls.length} Acme Corp calls between ${longDate(calls[0]!.started_at)} and ${longDate(calls.at(-1)!.started_at)}`,
    );
    for (const competitor of ['Snowflake', 'Databricks']) {
      if (per(competitor) > 0) expect(headline).toContain(`${competitor} (${per(competitor)} call`);
    }
    expect(answer.text.match(/^\| [A-Z][a-z]{2} \d+, 2026 \| Acme Corp - /gm)).toHaveLength(
      calls.length,
    );
    expect(answer.text).toMatch(
      /- Snowflake — .+ \(.+\): "To be transparent, we are also evaluating Snowflake/,
    );
  });

  it('reviews the IXIS deal and notifies Sarah Johnson with the review’s figures, signed, and logs the action', async () => {
    const before = notifications.length;
    const answer = await ask('Review the IXIS deal and notify Sarah Johnson');
    expect(answer.steps).toEqual([
      'Manager:AGENT_COLLABORATOR:DealAnalysisAgent',
      'DealAnalysisAgent:ACTION_GROUP:execute_query',
      'DealAnalysisAgent:ACTION_GROUP:execute_query',
      'DealAnalysisAgent:ACTION_GROUP:execute_query',
      'DealAnalysisAgent:ACTION_GROUP:execute_query',
      'DealAnalysisAgent:KNOWLEDGE_BASE',
      'Manager:AGENT_COLLABORATOR:ExecutionAgent',
      'ExecutionAgent:ACTION_GROUP:send_notification',
      'ExecutionAgent:ACTION_GROUP:write_record',
    ]);
    expect(notifications.length - before).toBe(1);
    const delivery = notifications.at(-1)!;
    const payload = new Webhook(SIGNING_SECRET).verify(delivery.body, delivery.headers) as {
      type: string;
      data: { message: string; severity: string; recipient: string };
    };
    expect(payload.type).toBe('revbot.notification');
    expect(payload.data.recipient).toBe('Sarah Johnson');
    const review = answer.text.split('\n\n**Notification:** ')[0]!;
    const verdict = /: (on track|at risk|critical),/.exec(review.split('\n')[0]!)?.[1];
    expect(payload.data.severity).toBe(
      verdict === 'critical' ? 'critical' : verdict === 'at risk' ? 'warning' : 'info',
    );
    const [deal] = await sql(
      "SELECT opportunity_name, stage, probability, arr, close_date FROM opportunities WHERE account_name = 'IXIS' AND is_closed = false ORDER BY arr DESC LIMIT 1",
    );
    const lines = payload.data.message.split('\n');
    expect(lines[0]).toBe(`*${review.split('\n')[0]!.replace(/\*\*/g, '')}*`);
    expect(lines[1]).toBe(
      `• Negotiate (${deal!.probability}%), ${money(deal!.arr)} ARR, closes ${longDate(deal!.close_date)} (2026-Q4)`,
    );
    expect(payload.data.message).toMatch(/• MEDDPICC \d+\/40/);
    expect(payload.data.message).toMatch(/\nNext step: Sarah Johnson: /);
    expect(answer.text).toMatch(
      /\*\*Notification:\*\* Notified Sarah Johnson \((critical|warning|info)\): .+ — delivered, status 200 to .+\. Logged in agent_action_log\.$/,
    );
    const logged = await sql(
      "SELECT agent_name, action_type, target, status FROM agent_action_log WHERE target = 'Sarah Johnson' ORDER BY created_at DESC LIMIT 1",
    );
    expect(logged).toEqual([
      {
        agent_name: 'execution_agent',
        action_type: 'notification',
        target: 'Sarah Johnson',
        status: 'succeeded',
      },
    ]);
  });

  it('asks who to notify rather than guessing, and sends nothing', async () => {
    const before = notifications.length;
    const answer = await ask('Let the team know that the Q4 forecast is ready');
    expect(answer.text).toBe('Who should I notify? Name the person or team and I will send it.');
    expect(answer.steps).toEqual([]);
    expect(notifications.length).toBe(before);
  });

  it('resolves a follow-up against the conversation', async () => {
    await ask("What's our pipeline this quarter?", 'thread-follow-up');
    const answer = await ask('What about next quarter?', 'thread-follow-up');
    const [totals] = await sql(
      "SELECT COUNT(*) AS deals, SUM(arr) AS arr FROM opportunities WHERE is_closed = false AND fiscal_quarter = '2027-Q1'",
    );
    expect(answer.text.split('\n')[0]).toContain(
      `**Open pipeline for 2027-Q1 is ${money(totals!.arr)} ARR across ${totals!.deals} deals`,
    );
  });

  it('answers a definition from the knowledge base, citing it', async () => {
    const answer = await ask('What is MEDDPICC?');
    expect(answer.steps).toEqual(['Manager:KNOWLEDGE_BASE']);
    expect(answer.text).toContain(
      '_Source: knowledge_base/business_logic/meddpicc_scoring_rubric.md_',
    );
    const rubric = readFileSync(
      path.join(KNOWLEDGE_BASE_DIR, 'business_logic/meddpicc_scoring_rubric.md'),
      'utf8',
    );
    expect(rubric.replace(/\s+/g, ' ')).toContain(
      'Each of the eight elements is scored 0-5 from evidence',
    );
    expect(answer.text.replace(/\s+/g, ' ')).toContain(
      'Each of the eight elements is scored 0-5 from evidence',
    );
  });

  it('says plainly when a question is outside what it handles, and how to run a configured model', async () => {
    const answer = await ask('Write me a poem about spring');
    expect(answer.steps).toEqual([]);
    expect(answer.text).toContain(
      '**This question is outside what RevBot’s offline model can answer.**',
    );
    expect(answer.text).toContain('`AGENT_RUNTIME=converse`');
    expect(answer.text).toContain(
      '`AGENT_RUNTIME=openai` with `OPENAI_BASE_URL` and `OPENAI_MODEL`',
    );
  });

  it('says so when no deal matches instead of inventing one', async () => {
    const answer = await ask('What is the status of the Zyxwv Industries deal?');
    expect(answer.text).toBe(
      'No deal in the warehouse matches "Zyxwv Industries" or "Zyxwv" (opportunity and account names searched).',
    );
  });

  it('gives the same answer to the same question', async () => {
    const first = await ask('Which competitors came up in our calls with Acme Corp?');
    const second = await ask('Which competitors came up in our calls with Acme Corp?');
    expect(second.text).toBe(first.text);
  });

  it('streams its answer in many chunks before the Manager’s last trace, exactly the recorded answer', async () => {
    const answer = await ask("What's our pipeline this quarter?");
    const chunks = answer.events.filter((e) => e.chunk);
    expect(chunks.length).toBeGreaterThan(3);
    const finish = answer.events.findLast(
      (e) => e.trace?.trace?.orchestrationTrace?.observation?.type === 'FINISH',
    );
    expect(answer.events.indexOf(chunks[0]!)).toBeLessThan(answer.events.indexOf(finish!));
    expect(answer.text).toBe(
      finish!.trace!.trace!.orchestrationTrace!.observation!.finalResponse!.text,
    );
  });

  it('produces a stream the monitoring package records completely', async () => {
    const answer = await ask("What's the status of the IXIS deal?");
    const record = buildConversationRecord(answer.events, {
      conversationId: 'offline-ixis',
      channel: { kind: 'replay', source: 'test' },
      userQuery: "What's the status of the IXIS deal?",
    });
    expect(record.metadata.quality.checks.filter((c) => !c.passed)).toEqual([]);
    const deal = record.conversation.agent_flow[1]!;
    expect(deal.tool_calls.map((t) => t.status)).toEqual([
      'success',
      'success',
      'success',
      'success',
    ]);
    expect(deal.knowledge_base_lookups).toHaveLength(1);
  });
});

describe('the offline model’s rules', () => {
  it('route to collaborators the Manager really has', async () => {
    const { runtimeAgents } = await import('../../src/runtime/agent-definitions');
    const names = runtimeAgents().entry.collaborators.map((c) => c.name);
    expect(Object.values(COLLABORATORS).sort()).toEqual([...names].sort());
  });

  it('score leads with the ICP rubric of the knowledge base, line by line', () => {
    const markdown = readFileSync(
      path.join(KNOWLEDGE_BASE_DIR, 'business_logic/icp_definition.md'),
      'utf8',
    );
    const rows = new Set(markdown.split('\n').filter((line) => line.startsWith('| ')));
    const row = (fact: string, points: string) => `| ${fact} | ${points} |`;
    const { firmographics: f, technology: t, growth: g, engagement: e } = ICP_RUBRIC;
    const expected = [
      ...f.employees.map((b) => row(b.line.fact, String(b.line.points))),
      ...[
        f.industryFit,
        f.industryPartial,
        f.industryOther,
        f.regionCore,
        f.regionOther,
        f.revenue,
      ].map((l) => row(l.fact, String(l.points))),
      ...[t.competitor, t.legacy, t.cloud, t.tooling, t.useCase].map((l) =>
        row(l.fact, String(l.points)),
      ),
      ...[g.funding, g.hiring, g.leadership, g.initiative, g.expansion].map((l) =>
        row(l.fact, String(l.points)),
      ),
      row(g.negative.fact, `−${-g.negative.points}`),
      row(e.visits.fact, `${e.visits.points} (5-9: ${e.visits.mid}; 1-4: ${e.visits.low})`),
      row(e.downloads.fact, `${e.downloads.points} (1: ${e.downloads.low})`),
      row(e.opens.fact, `${e.opens.points} (1-4: ${e.opens.low})`),
      row(
        e.source.fact,
        `${e.source.points} (Partner: ${e.source.partner}; Content Download: ${e.source.content}; Outbound: ${e.source.outbound})`,
      ),
      row(e.recency.fact, `${e.recency.points} (15-30 days: ${e.recency.month})`),
      row(
        e.seniority.fact,
        `${e.seniority.points} (Manager or Lead: ${e.seniority.manager}; individual contributor: ${e.seniority.individual})`,
      ),
    ];
    for (const line of expected) expect(rows.has(line), line).toBe(true);
    for (const [section, cap] of [
      ['Firmographics', f.cap],
      ['Technology', t.cap],
      ['Growth and timing', g.cap],
      ['Engagement', e.cap],
    ] as const) {
      expect(markdown).toContain(`${section} — up to ${cap} points`);
    }
  });
});

describe('the offline model as SUPERVISOR_ROUTER’s classifier', () => {
  async function routed(question: string) {
    const { defineAgents, readAgentSources } = await import('../../src/loader');
    const { createPortableRuntime } = await import('../../src/runtime/portable-runtime');
    const sources = readAgentSources(path.resolve(import.meta.dirname, '../..'));
    const manager = sources.agents.find((a) => a.key === 'manager_agent')!;
    manager.config = JSON.stringify({
      ...(JSON.parse(manager.config!) as object),
      collaboration: 'SUPERVISOR_ROUTER',
    });
    const router = createPortableRuntime(
      'offline',
      { OFFLINE_TODAY: AS_OF },
      { tools: stack.tools, logger: silentLogger, agents: defineAgents(sources) },
    );
    const events: AgentStreamEvent[] = [];
    for await (const event of router.ask({ question, sessionId: `router-${++sessions}` }))
      events.push(event);
    const decision = events.find(
      (e) => e.trace?.trace?.routingClassifierTrace?.modelInvocationOutput,
    )?.trace?.trace?.routingClassifierTrace?.modelInvocationOutput?.rawResponse?.content;
    const routedTo = events.find((e) => e.trace?.trace?.routingClassifierTrace?.invocationInput)
      ?.trace?.trace?.routingClassifierTrace?.invocationInput?.agentCollaboratorInvocationInput
      ?.agentCollaboratorName;
    return { decision: /<a>([^<]*)<\/a>/.exec(decision ?? '')?.[1], routedTo, events };
  }

  it('names the one collaborator the Manager would hand the question to', async () => {
    const pipeline = await routed("What's our pipeline this quarter?");
    expect(pipeline.decision).toBe(COLLABORATORS.data);
    expect(pipeline.routedTo).toBe(COLLABORATORS.data);
    const supervised = await ask("What's our pipeline this quarter?");
    const text = (events: AgentStreamEvent[]) =>
      events
        .filter((e) => e.chunk)
        .map((e) => new TextDecoder().decode(e.chunk!.bytes))
        .join('');
    expect(text(pipeline.events)).toBe(supervised.text);
    expect((await routed('Assess John Smith at DataCorp')).routedTo).toBe(COLLABORATORS.lead);
  });

  it('is unsure about several steps or a definition, and the Manager then orchestrates', async () => {
    const review = await routed('Review the IXIS deal and notify Sarah Johnson');
    expect(review.decision).toBe('undecidable');
    expect(review.routedTo).toBeUndefined();
    const handOffs = review.events.flatMap(
      (e) =>
        e.trace?.trace?.orchestrationTrace?.invocationInput?.agentCollaboratorInvocationInput
          ?.agentCollaboratorName ?? [],
    );
    expect(handOffs).toContain(COLLABORATORS.execution);
    expect((await routed('What is MEDDPICC?')).decision).toBe('undecidable');
  });
});
