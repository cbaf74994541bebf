/**
 * The approval message RevBot posts in a thread when the agents pause before an action: what
 * will happen (the action, its exact destination, the payload or fields laid out) and Approve /
 * Reject buttons. Each button carries what the decision needs (the paused invocation, who asked,
 * the thread, when it expires); Slack signs the click, so the handler can trust it back.
 */
import * as z from 'zod/mini';

export const APPROVE_ACTION_ID = 'revbot_approval_approve';
export const REJECT_ACTION_ID = 'revbot_approval_reject';

/** What a button carries (short keys: a button value holds at most 2,000 characters). */
export const approvalRefSchema = z.object({
  /** The runtime's returnControl invocation id. */
  i: z.string().check(z.minLength(1), z.maxLength(200)),
  /** Action group and function it confirms. */
  g: z.string().check(z.minLength(1), z.maxLength(100)),
  f: z.string().check(z.minLength(1), z.maxLength(100)),
  /** The agent that asked (a collaborator's id). */
  a: z.optional(z.string().check(z.maxLength(100))),
  /** Who asked the question: the one who may decide (besides the approvers group). */
  r: z.string().check(z.minLength(1), z.maxLength(64)),
  /** The thread the run belongs to. */
  t: z.string().check(z.minLength(1), z.maxLength(32)),
  /** Expiry, epoch seconds. */
  e: z.number(),
  /** The conversation that paused. */
  c: z.string().check(z.minLength(1), z.maxLength(100)),
});
export type ApprovalRef = z.infer<typeof approvalRefSchema>;

export function decodeApprovalRef(value: string | undefined): ApprovalRef | undefined {
  if (!value) return undefined;
  try {
    const parsed = approvalRefSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface ApprovalView {
  title: string;
  destination: string;
  fields: { name: string; value: string }[];
}

const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;
/** Backticks would end the code span: shown as a look-alike so the text stays exact to read. */
const code = (text: string) => text.replaceAll('```', '`\u200b``');
const escapeMrkdwn = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The approval request: a section per part, then the two buttons. */
export function approvalBlocks(view: ApprovalView, ref: ApprovalRef): unknown[] {
  const value = JSON.stringify(ref);
  const fields = view.fields
    .map(
      (f) => `*${escapeMrkdwn(f.name)}*\n\`\`\`${escapeMrkdwn(code(clip(f.value, 2_500)))}\`\`\``,
    )
    .join('\n');
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:raised_hand: *Approval needed:* ${escapeMrkdwn(view.title)}\n*Destination:* \`${escapeMrkdwn(clip(view.destination, 500))}\``,
      },
    },
    ...(fields ? [{ type: 'section', text: { type: 'mrkdwn', text: clip(fields, 2_900) } }] : []),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Only <@${ref.r}> or a RevBot approver can decide. Expires <!date^${ref.e}^{date_short_pretty} {time}|in 24 hours>.`,
        },
      ],
    },
    {
      type: 'actions',
      block_id: 'revbot_approval',
      elements: [
        {
          type: 'button',
          action_id: APPROVE_ACTION_ID,
          text: { type: 'plain_text', text: 'Approve' },
          style: 'primary',
          value,
        },
        {
          type: 'button',
          action_id: REJECT_ACTION_ID,
          text: { type: 'plain_text', text: 'Reject' },
          style: 'danger',
          value,
        },
      ],
    },
  ];
}

/** The request once decided: the same description, the buttons replaced by the outcome. */
export function decidedBlocks(blocks: unknown[] | undefined, outcome: string): unknown[] {
  const kept = (blocks ?? []).filter(
    (b) =>
      (b as { type?: string }).type !== 'actions' && (b as { type?: string }).type !== 'context',
  );
  return [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: outcome }] }];
}
