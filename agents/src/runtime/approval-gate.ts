/**
 * How the portable runtime pauses before an action and resumes on a person's decision, in
 * Bedrock's terms: the pause ends the stream with a `returnControl` event whose one
 * `functionInvocationInput` has `actionInvocationType: USER_CONFIRMATION`; the caller answers
 * with the `invocationId` and `confirmationState` CONFIRM or DENY (`AskInput.confirmation`).
 *
 * The pause unwinds the agents' tool loops with `ApprovalRequired`; each agent on the way adds
 * its frame, so the resume can continue every loop where it stopped.
 */

import type { ReturnControlPayload } from '@aws-sdk/client-bedrock-agent-runtime';
import type { AgentStreamEvent, ConfirmationDecision } from './agent-runtime';
import type { PausedFrame, PausedRun, PendingAction } from './paused-run-store';

/** Thrown by the tool step that needs approval; caught (and completed) by the runtime. */
export class ApprovalRequired extends Error {
  /** Outermost first, filled in as the error passes each agent's tool loop. */
  readonly frames: PausedFrame[] = [];

  constructor(readonly pending: PendingAction) {
    super(`${pending.actionGroup}.${pending.function} waits for approval`);
    this.name = 'ApprovalRequired';
  }
}

/** Default time a paused run can be resumed: a day. */
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 86_400;

/** Session attributes the resumed action's tools receive, naming the decision. */
export const APPROVAL_ATTRIBUTES = {
  decidedBy: 'revbot_approval_decided_by',
  decidedAt: 'revbot_approval_decided_at',
  decision: 'revbot_approval_decision',
} as const;

/** The event that ends a paused stream, shaped as InvokeAgent's. */
export function returnControlEvent(run: PausedRun): AgentStreamEvent {
  const { pending } = run;
  const payload: ReturnControlPayload = {
    invocationId: run.invocationId,
    invocationInputs: [
      {
        functionInvocationInput: {
          actionGroup: pending.actionGroup,
          function: pending.function,
          parameters: pending.parameters.map((p) => ({ ...p })),
          actionInvocationType: 'USER_CONFIRMATION',
          agentId: pending.agentId,
          ...(pending.collaboratorName ? { collaboratorName: pending.collaboratorName } : {}),
        },
      },
    ],
  };
  return { returnControl: payload };
}

/** What the model reads when the person said no. */
export const DENIED_RESULT =
  'The person asked to approve this action rejected it, so it was NOT done. Do not try it again; tell the user it was not done.';

/** One line for the trace and the conversation record: who decided what, and when. */
export function decisionNote(decision: ConfirmationDecision): string {
  const verb = decision.confirmationState === 'CONFIRM' ? 'Approved' : 'Rejected';
  return `${verb} by ${decision.decidedBy} at ${decision.decidedAt}.`;
}

/** The pending call as `name=value` pairs, for checks that the decision is about this call. */
export const pendingName = (pending: Pick<PendingAction, 'actionGroup' | 'function'>): string =>
  `${pending.actionGroup}.${pending.function}`;
