/**
 * Short, realistic call scripts for the generated Gong transcripts. `I` lines are spoken by our
 * team, `E` lines by the customer; `{…}` placeholders are filled per call. Competitor lines are
 * only used when a call mentions competitors, so transcripts and `competitors_mentioned` agree.
 */

export type Speaker = 'I' | 'E';
export interface ScriptLine {
  speaker: Speaker;
  text: string;
}

export const CALL_KINDS = [
  'Discovery call',
  'Product demo',
  'Technical deep dive',
  'Pricing discussion',
  'Negotiation',
  'Quarterly business review',
] as const;
export type CallKind = (typeof CALL_KINDS)[number];

const line = (speaker: Speaker, text: string): ScriptLine => ({ speaker, text });

export const CALL_SCRIPTS: Record<CallKind, ScriptLine[]> = {
  'Discovery call': [
    line(
      'I',
      'Thanks for making the time, {contact}. Could you walk me through how {account} handles analytics today?',
    ),
    line('E', 'Sure. Our dashboards run on a warehouse that struggles at peak load, and {pain}.'),
    line('I', 'What would it mean for the business if those queries came back in under a second?'),
    line('E', 'Honestly, {metric}. That is the number our leadership cares about.'),
    line('I', 'Who else would be involved in deciding on a new platform?'),
    line('E', '{buyer} owns the budget; my team would run the technical evaluation.'),
    line(
      'I',
      'Great. I will send a short summary and propose a demo with our sales engineer next week.',
    ),
  ],
  'Product demo': [
    line('I', 'Today I will show the {product} running on a copy of a workload like yours.'),
    line('E', 'Please focus on concurrency; we have hundreds of analysts hitting the same tables.'),
    line(
      'I',
      'Here are two hundred concurrent dashboard queries, all returning in about 150 milliseconds.',
    ),
    line('E', 'That is impressive. How does ingestion keep up while those queries run?'),
    line(
      'I',
      'Ingestion and queries run on separate engines over the same data, so neither slows the other.',
    ),
    line('E', 'Good. Can we get a trial on our own data?'),
    line('I', 'Yes, we can set up a two-week proof of concept starting Monday.'),
  ],
  'Technical deep dive': [
    line('E', 'Our security team needs SSO, private networking and encryption with our own keys.'),
    line(
      'I',
      'All three are supported; I will share the security whitepaper and the SOC 2 report.',
    ),
    line('E', 'What about migrating about forty terabytes and our dbt models?'),
    line(
      'I',
      'The dbt adapter works unchanged, and our migration service moves forty terabytes in under a week.',
    ),
    line('E', 'And cost predictability? Finance wants to avoid surprises.'),
    line(
      'I',
      'Engines have a fixed hourly price and stop when idle, so spend follows usage you control.',
    ),
  ],
  'Pricing discussion': [
    line('I', 'Based on the proof of concept, the proposal covers {product} at {arr} per year.'),
    line('E', 'That is above what we budgeted. Is there flexibility on a multi-year term?'),
    line('I', 'A three-year term brings the annual price down, and we can phase the ramp.'),
    line('E', 'Procurement will also ask about payment terms and the security review.'),
    line('I', 'I will send our standard order form and the security questionnaire answers today.'),
  ],
  Negotiation: [
    line('E', 'Legal has comments on the liability cap and the data processing addendum.'),
    line('I', 'Send them over; our legal team turns redlines around within two days.'),
    line('E', '{buyer} wants to sign before the end of the quarter if the numbers hold.'),
    line(
      'I',
      'Then let us agree on a mutual close plan with dates for legal, security and signature.',
    ),
    line('E', 'Fine. Put together the plan and we will confirm it on Thursday.'),
  ],
  'Quarterly business review': [
    line(
      'I',
      'Let us review adoption over the last quarter and what is coming up before the renewal.',
    ),
    line('E', 'From our side, {usage}, and budget season is coming; every tool gets scrutinized.'),
    line('I', 'Which outcomes would make the renewal an easy decision for {buyer}?'),
    line('E', 'Clear cost savings and faster dashboards for the finance team.'),
    line('I', 'We will prepare a value report with both before the renewal conversation.'),
  ],
};

/** Lines spoken when a competitor comes up; `{competitor}` is filled with one of them. */
export const COMPETITOR_LINES: ScriptLine[] = [
  line(
    'E',
    'To be transparent, we are also evaluating {competitor} and their pricing came in lower.',
  ),
  line('I', 'Understood. Where does {competitor} fall short for you today?'),
  line(
    'E',
    'With {competitor} our concurrency tests slowed down badly once more than fifty users joined.',
  ),
  line(
    'I',
    'That is where customers usually pick us; I can share a benchmark against {competitor}.',
  ),
];

/** Lines for a second competitor in the same call. */
export const SECOND_COMPETITOR_LINES: ScriptLine[] = [
  line('E', 'Our data science team has also been talking to {competitor}.'),
  line(
    'I',
    'Good to know; {competitor} is strong for notebooks, but dashboard concurrency is where we differ.',
  ),
];

/** Topics Gong would tag per call kind. */
export const CALL_TOPICS: Record<CallKind, string> = {
  'Discovery call': 'Business Pain, Current Architecture, Decision Process',
  'Product demo': 'Product Demo, Concurrency, Ingestion',
  'Technical deep dive': 'Security, Migration, Integrations',
  'Pricing discussion': 'Pricing, Contract Terms, Procurement',
  Negotiation: 'Legal, Close Plan, Pricing',
  'Quarterly business review': 'Adoption, Value Realization, Renewal',
};
