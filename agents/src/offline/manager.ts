/**
 * The offline Manager: routes each question with the routing rules of
 * `agents/manager_agent/instructions.md` — deal status and MEDDPICC ONLY to Deal Analysis, lead
 * qualification and ICP ONLY to Lead Analysis, other warehouse and Gong questions to Data, public
 * web research to Web Search, explicit actions to Execution (after the analysis they depend on),
 * definitions from the knowledge base — and hands back the collaborator's answer. Follow-ups are
 * resolved against the conversation; anything else is declined plainly, with the way to run
 * RevBot on a real model.
 */

import type { SqlPattern } from '../knowledge-base/sql-patterns';
import type { OfflineContext, OfflineStep } from './conversation';
import { dataIntent } from './data-answers';
import { readNotificationRequest } from './execution';
import { documentedWording } from './revenue-vocabulary';
import { normalized, personAndCompany, properNames, quarterIn, quote, subjectName } from './text';

/** The Manager's collaborators, by the names `agents/manager_agent/agent.json` gives them. */
export const COLLABORATORS = {
  deal: 'DealAnalysisAgent',
  lead: 'LeadAnalysisAgent',
  data: 'DataAgent',
  web: 'WebSearchAgent',
  execution: 'ExecutionAgent',
} as const;
type Route = keyof typeof COLLABORATORS;

export const OUT_OF_SCOPE = [
  '**This question is outside what RevBot’s offline model can answer.**',
  '',
  'The offline model is a deterministic stand-in with no language model: it runs the real tools for a fixed set of questions — deal status with a MEDDPICC review ("What\'s the status of the IXIS deal?"), lead assessments with an ICP score ("Assess John Smith at DataCorp"), pipeline, bookings, ARR, churn and expansion summaries ("What\'s our pipeline this quarter?"), competitor mentions in calls ("Which competitors came up in calls with Acme Corp?"), company research, definitions from the knowledge base, and notifications ("Notify Sarah Johnson about the IXIS deal").',
  '',
  'For anything else, run RevBot with a configured model: `AGENT_RUNTIME=converse` (Amazon Bedrock, `AGENT_MODEL_ID`) or `AGENT_RUNTIME=openai` with `OPENAI_BASE_URL` and `OPENAI_MODEL`.',
].join('\n');

/**
 * An explicit request to act: an imperative at the start ("Notify Sarah…", "Please send…") or
 * after "and" ("Review the deal and notify Sarah"). Questions about actions ("did we send…?") and
 * "tell me"/"let me know" are not requests to notify anyone.
 */
const ACTION =
  /(^\s*(please\s+|can you\s+|could you\s+|would you\s+)?|\band\s+(then\s+)?)(notify|alert|ping|remind|let|send|post|forward|share|tell)\b(?!\s+(me|us)\b)/;
const DEAL =
  /\b(deal|deals|opportunit(y|ies)|meddpicc|win probability|deal risk|forecast confidence|close this quarter|deal review|renewal)\b|\bstatus of\b/;
const LEAD = /\b(lead|leads|prospect|prospects|icp|qualif\w*|outreach|engagement strategy)\b/;
const DATA =
  /\b(pipeline|bookings?|arr|revenue|win rate|churn\w*|expansion|usage|seats?|calls?|gong|competitors?|mentions?|activit(y|ies)|forecast|segments?|customers?)\b/;
/** How follow-ups start: "and for Acme?", "what about next quarter?", "same for 2027-Q1". */
const FOLLOW_UP = /^\s*(and|but|what about|how about|same|now|also|then|ok|okay|for|in)\b/i;
const WEB =
  /\b(news|research|funding|raised|tech stack|headquarter\w*|market|industry|competitors of|web)\b/;
const DEFINITION =
  /^\s*(what is|what's|what are|what does|define|definition of|meaning of|explain)\b/;
const TERMS =
  /\b(meddpicc|icp|arr|weighted pipeline|pipeline coverage|coverage|stages?|economic buyer|champion|paper process|decision criteria|decision process|metrics|identify pain|churn risk|expansion|win rate|commit|best case|forecast categor\w*|bookings|eb)\b/;
/** "…and save it", "save that score", "record the score". */
const SAVE =
  /\b(save|record|store|log)\b.*\b(it|that|this|score|result)\b|\band (save|record|store) it\b/;

/** The line a lead assessment ends with, naming what to save. */
const TO_SAVE = /To save it: lead (\S+), score (\d+), grade ([A-D])\./;

/**
 * Saves a lead's ICP score: from this turn's assessment ("Score X at Y and save it") or from the
 * last answer ("save that score"); undefined when there is no score to save.
 */
function saveScore(context: OfflineContext, task: string): OfflineStep | undefined {
  const reply = (step: string) => context.resultOf(step)?.content ?? '';
  const question = task.replace(/\s*(,|\band\b|\bthen\b)+\s*(save|record|store|log)\b.*$/i, '');
  const assessHere = question !== task && routeOf(question, context.today) === 'lead';
  if (assessHere && !context.ran('analysis')) {
    const tool = context.toolNamed(`AgentCommunication__${COLLABORATORS.lead}`);
    if (!tool) return { kind: 'answer', text: OUT_OF_SCOPE };
    return {
      kind: 'call',
      rationale: 'This asks for an ICP score and then to save it: Lead Analysis first.',
      calls: [{ step: 'analysis', name: tool, input: { content: question } }],
    };
  }
  const assessment = assessHere ? reply('analysis') : (context.history.at(-1)?.assistant ?? '');
  const score = TO_SAVE.exec(assessment);
  if (!score) {
    return assessHere
      ? {
          kind: 'answer',
          text: `${assessment}\n\nNothing was saved: the assessment gave no score.`,
        }
      : undefined;
  }
  if (!context.ran('action')) {
    const tool = context.toolNamed(`AgentCommunication__${COLLABORATORS.execution}`);
    if (!tool) return { kind: 'answer', text: OUT_OF_SCOPE };
    const headline = (assessment.split('\n')[0] ?? '').replace(/\*\*/g, '');
    const values = {
      lead_id: score[1],
      score: Number(score[2]),
      grade: score[3],
      rationale: headline,
      scored_by: 'lead_analysis_agent',
    };
    return {
      kind: 'call',
      rationale: `The user asked to save the ICP score of lead ${score[1]}: Execution records it.`,
      calls: [
        {
          step: 'action',
          name: tool,
          input: {
            content: `Record this ICP score.\nTable: lead_scores\nValues: ${JSON.stringify(values)}`,
          },
        },
      ],
    };
  }
  return {
    kind: 'answer',
    text: assessHere ? `${assessment}\n\n**Saved:** ${reply('action')}` : reply('action'),
  };
}

/** Requests to change data, which the offline model never does. */
const UNSUPPORTED_ACTION =
  /^\s*(please\s+|can you\s+|could you\s+)?((delete|drop|remove|truncate|update|change|modify|reassign|create|insert|wipe|reset)\b|(book|schedule|set up|arrange) (a|an|the)\b)/;
const GREETING = /^\s*(hi|hello|hey|thanks|thank you|good (morning|afternoon|evening))\b[\s!.]*$/;
const CAPABILITIES = /\b(what can you do|help me|how do i (use|ask)|what do you do)\b/;

export function manager(context: OfflineContext): OfflineStep {
  const task = context.task;
  const text = normalized(task);
  const collaborator = (route: Route) =>
    context.toolNamed(`AgentCommunication__${COLLABORATORS[route]}`);
  const ask = (route: Route, step: string, content: string, why: string): OfflineStep => {
    const tool = collaborator(route);
    if (!tool) return { kind: 'answer', text: OUT_OF_SCOPE };
    return { kind: 'call', rationale: why, calls: [{ step, name: tool, input: { content } }] };
  };
  const reply = (step: string) => context.resultOf(step)?.content ?? '';

  // Changes RevBot cannot make offline are declined before anything runs.
  if (UNSUPPORTED_ACTION.test(text)) {
    return {
      kind: 'answer',
      text: `**No action taken: the offline model cannot change records.**\n\nRevBot reads the warehouse, Gong and the web, and sends notifications you ask for; changing or deleting data is not something it does offline. ${OUT_OF_SCOPE.split('\n').at(-1)}`,
    };
  }

  // Score then save: the assessment first, then Execution records the score it ends with.
  if (SAVE.test(text)) {
    const saving = saveScore(context, task);
    if (saving) return saving;
  }

  // Explicit actions: the analysis they depend on first, then Execution with its result.
  if (ACTION.test(text)) {
    const notification = readNotificationRequest(task);
    // A review first when one is asked for ("Review X and notify…", "Notify Sarah about the X
    // deal"), not when the user wrote the message themselves ("Notify Emily that…").
    const request = task.split(/\b(?:that|saying)\b|:\s/)[0] ?? task;
    const ownMessage = request !== task && !/\b(review|check|assess)\b/i.test(request);
    const analysis: Route | undefined =
      DEAL.test(text) && subjectName(task) && !ownMessage ? 'deal' : undefined;
    if (analysis && !context.ran('analysis')) {
      return ask(
        analysis,
        'analysis',
        task,
        `This asks for a deal review and then a notification: Deal Analysis first.`,
      );
    }
    const review = analysis ? reply('analysis') : undefined;
    if (!notification.recipient && !/\bowner\b/.test(text)) {
      return {
        kind: 'answer',
        text: `${review ? `${review}\n\n` : ''}Who should I notify? Name the person or team and I will send it.`,
      };
    }
    if (
      review &&
      /\bif\b.*\b(at risk|critical|slipping|in trouble)\b/.test(text) &&
      /: on track,/.test(review.split('\n')[0] ?? '')
    ) {
      return { kind: 'answer', text: `${review}\n\nNo notification sent: the deal is on track.` };
    }
    if (!context.ran('action')) {
      const owner = /owner ([A-Z][a-z]+ [A-Z][a-z]+)/.exec(review ?? '')?.[1];
      const recipient = notification.recipient ?? owner ?? 'the deal owner';
      const previous = context.history.at(-1)?.assistant;
      const forwarding = /\b(send|post|share|forward)\s+(that|this|it)\b/.test(text) && previous;
      const message = review
        ? notificationFromReview(review)
        : forwarding
          ? summaryOf(previous)
          : notification.message;
      const severity = review ? severityFromReview(review) : notification.severity;
      return ask(
        'execution',
        'action',
        `Send a notification.\nRecipient: ${recipient}\nSeverity: ${severity}\nMessage:\n${message}`,
        `The user asked for a notification to ${recipient}: Execution sends it.`,
      );
    }
    return {
      kind: 'answer',
      text: review ? `${review}\n\n**Notification:** ${reply('action')}` : reply('action'),
    };
  }

  if (
    DEFINITION.test(text) &&
    TERMS.test(text) &&
    !/\b(our|we|us|by|how much|how many|each|this|next|last)\b/.test(text) &&
    properNames(task).length === 0 &&
    !quarterIn(task, context.today)
  ) {
    const kb = context.knowledgeBaseTool();
    if (kb) {
      const found = TERMS.exec(text)?.[0] ?? task;
      const term = new RegExp(`\\b${found}\\b`, 'i').exec(task)?.[0] ?? found;
      if (!context.ran('definition')) {
        return {
          kind: 'call',
          rationale: `A definition: I will look "${term}" up in the knowledge base.`,
          calls: [{ step: 'definition', name: kb, input: { searchQuery: term } }],
        };
      }
      return { kind: 'answer', text: definitionFrom(term, reply('definition')) };
    }
  }

  // A follow-up ("what about next quarter?", "and for Acme Corp?") continues the last question.
  const followUp = resolveFollowUp(task, context);
  if (followUp) {
    if (!context.ran('route')) {
      return ask(
        followUp.route,
        'route',
        followUp.question,
        `A follow-up to "${quote(followUp.previous, 80)}": ${COLLABORATORS[followUp.route]} handles it.`,
      );
    }
    return { kind: 'answer', text: reply('route') };
  }

  const route = routeOf(task, context.today, context.patterns);
  if (route) {
    if (!context.ran('route'))
      return ask(
        route,
        'route',
        task,
        `${routeReason(route)}: ${COLLABORATORS[route]} handles it.`,
      );
    return { kind: 'answer', text: reply('route') };
  }

  if (GREETING.test(text) || CAPABILITIES.test(text)) {
    return {
      kind: 'answer',
      text: OUT_OF_SCOPE.replace(
        '**This question is outside what RevBot’s offline model can answer.**',
        '**Hello — this is RevBot running its offline model.**',
      ),
    };
  }
  return { kind: 'answer', text: OUT_OF_SCOPE };
}

/** Data questions about deals that are lists or lookups, not one deal's status. */
const DATA_FIRST = new Set([
  'open-deals',
  'deal-contacts',
  'competitive-win-loss',
  'account-arr-trend',
]);

/**
 * The collaborator the documented routing rules send this question to, if any. The question is
 * read in the documented wording (`revenue-vocabulary.ts`), so "how's IXIS looking?" is a deal
 * status and "how much did we book?" a bookings question; when no rule decides, the words of the
 * SQL patterns do (`pattern-matcher.ts`).
 */
export function routeOf(
  task: string,
  today: string,
  patterns?: readonly SqlPattern[],
): Route | undefined {
  const text = documentedWording(task);
  const names = properNames(task);
  // "Which of Sarah's deals are at risk?": a deal-risk review of one owner's deals.
  if (/\bat risk\b|\brisky\b|\bslipping\b/.test(text) && /'s (open )?deals\b/.test(text))
    return 'deal';
  const data = dataIntent(task, today);
  if (data && DATA_FIRST.has(data.queries[0]?.pattern ?? '')) return 'data';
  // Deal status, MEDDPICC or any assessment of an opportunity: ONLY Deal Analysis.
  if (DEAL.test(text) && !/\bpipeline\b|\bbookings\b|\bchurn|\bexpansion\b/.test(text))
    return 'deal';
  if (/\bstatus\b/.test(text) && names.length > 0 && !/\bleads?\b/.test(text)) return 'deal';
  // Lead qualification, ICP scoring and outreach: ONLY Lead Analysis.
  const { person, company } = personAndCompany(task);
  if (LEAD.test(text) && !/\bcompetitors?\b/.test(text)) return 'lead';
  if (/\b(assess|qualify|score)\b/.test(text) && person && company) return 'lead';
  if (/^\s*(please\s+)?(assess|qualify|score)\b/.test(text) && (person || company)) return 'lead';
  if (/\b(approach|reach out to|pitch to)\b/.test(text) && names.length > 0) return 'lead';
  if (/\b(tell me about|who is|what about)\b/.test(text) && person && company) return 'lead';
  if (WEB.test(text) && !/\b(calls?|gong|our)\b/.test(text)) return 'web';
  if (DATA.test(text) || data || (patterns && dataIntent(task, today, patterns))) return 'data';
  return undefined;
}

function routeReason(route: Route): string {
  switch (route) {
    case 'deal':
      return 'A deal status or MEDDPICC question';
    case 'lead':
      return 'A lead qualification question';
    case 'data':
      return 'A warehouse or Gong question';
    case 'web':
      return 'Public web research';
    case 'execution':
      return 'An explicit request to act';
  }
}

function resolveFollowUp(
  task: string,
  context: OfflineContext,
): { route: Route; question: string; previous: string } | undefined {
  if (context.history.length === 0) return undefined;
  if (!FOLLOW_UP.test(task) && task.trim().split(/\s+/).length > 4) return undefined;
  const quarter = quarterIn(task, context.today);
  const [name] = properNames(task);
  if (!quarter && !name) return undefined;
  for (const turn of [...context.history].reverse()) {
    const route = routeOf(turn.user, context.today, context.patterns);
    if (!route) continue;
    let question = turn.user;
    if (quarter) {
      const replaced = question.replace(
        /\b(20\d\d-?Q[1-4]|Q[1-4](\s+20\d\d)?|(this|current|next|last|previous) quarter)\b/i,
        quarter,
      );
      question = replaced === question ? `${question} (${quarter})` : replaced;
    }
    if (name) {
      const previousName = subjectName(turn.user);
      question = previousName ? question.replace(previousName, name) : `${question} for ${name}`;
    }
    return { route, question, previous: turn.user };
  }
  return undefined;
}

/** The notification workflow's template, filled from the deal review's own lines. */
function notificationFromReview(review: string): string {
  const lines = review.split('\n');
  const headline = (lines[0] ?? '').replace(/\*\*/g, '').trim();
  const stageLine = (lines[1] ?? '').split(' · ');
  const meddpicc = lines.find((l) => l.startsWith('**MEDDPICC'))?.replace(/\*\*/g, '') ?? '';
  const riskStart = lines.indexOf('**Risks**');
  const risks =
    riskStart >= 0
      ? lines
          .slice(riskStart + 1)
          .filter((l) => l.startsWith('- '))
          .slice(0, 2)
      : [];
  const stepStart = lines.indexOf('**Next steps**');
  const next = stepStart >= 0 ? lines[stepStart + 1]?.replace(/^- /, '') : undefined;
  return [
    `*${headline}*`,
    `• ${stageLine.slice(0, 3).join(', ')}`,
    meddpicc ? `• ${meddpicc}` : '',
    ...risks.map((r) => `• ${r.replace(/^- /, '')}`),
    next ? `Next step: ${next}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** An earlier answer as a stand-alone notification: its headline and first bullets. */
function summaryOf(answer: string): string {
  const lines = answer.split('\n').map((l) => l.trim());
  const headline = (lines[0] ?? '').replace(/\*\*/g, '');
  const bullets = lines
    .filter((l) => l.startsWith('- '))
    .slice(0, 3)
    .map((l) => `• ${l.slice(2)}`);
  return [`*${headline}*`, ...bullets].join('\n');
}

/** Severity per the notification workflow: critical deals critical, at-risk ones a warning. */
function severityFromReview(review: string): 'info' | 'warning' | 'critical' {
  const headline = review.split('\n')[0] ?? '';
  if (/: critical,/.test(headline)) return 'critical';
  if (/: at risk,/.test(headline)) return 'warning';
  return 'info';
}

function definitionFrom(term: string, passages: string): string {
  const match = /<search_result index="1" source="([^"]+)">\n([\s\S]*?)\n<\/search_result>/.exec(
    passages,
  );
  if (!match) return `The knowledge base has nothing on "${term}".`;
  const [, source, body] = match;
  // Headings dropped line by line: a heading often opens the very paragraph that defines the term.
  const paragraphs = (body ?? '')
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split('\n')
        .filter((line) => !line.trim().startsWith('#'))
        .join('\n')
        .trim(),
    )
    .filter(Boolean);
  // Prose first; a passage that is all table rows gives the rows naming the term.
  const prose = paragraphs.filter((p) => !p.startsWith('|')).slice(0, 2);
  const rows = (body ?? '')
    .split('\n')
    .filter((line) => line.startsWith('|') && line.toLowerCase().includes(term.toLowerCase()));
  const excerpt = prose.length > 0 ? prose.join('\n\n') : rows.slice(0, 3).join('\n');
  return `**${term.replace(/^./, (c) => c.toUpperCase())}, from the knowledge base**\n\n${quote(excerpt, 900)}\n\n_Source: ${source}_`;
}
