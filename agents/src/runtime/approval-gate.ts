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
import type { Logger } from '@revbot/core';
import type { FunctionActionGroupEvent } from '../action-group/action-group-event';
import { readActionGroupResponse } from '../action-group/action-group-response';
import { describeAction } from '../tools/describe-action';
import type { AgentStreamEvent, ConfirmationDecision } from './agent-runtime';
import type { PausedFrame, PausedRun, PendingAction } from './paused-run-store';
import type { ToolInvoker } from './tool-invoker';

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

export { APPROVAL_ATTRIBUTES } from '../action-group/approval-attributes';

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

/**
 * Logs the decision in `agent_action_log` through the writer tool's `record_decision` (which no
 * model is offered), with who and when in the session attributes of `event`, the decided call.
 * With `parametersKnown` false (a Bedrock resume whose channel kept no parameters) the row names
 * the action only, rather than a destination described from nothing.
 * A failure is logged, never fatal: the decision stands and the conversation record has it.
 */
export async function recordDecision(
  tools: ToolInvoker,
  event: FunctionActionGroupEvent,
  decision: ConfirmationDecision,
  logger?: Logger,
  parametersKnown = true,
): Promise<void> {
  if (!tools.actionGroups.includes('firebolt_writer')) return;
  const parameter = (name: string, value: string) => ({ name, type: 'string', value });
  const described = parametersKnown ? describeAction(event) : undefined;
  const about = described
    ? [
        parameter('target', described.destination.slice(0, 500)),
        parameter(
          'details',
          [described.title, ...described.fields.map((f) => `${f.name}: ${f.value}`)]
            .join('; ')
            .slice(0, 3_000),
        ),
      ]
    : [];
  try {
    const response = await tools.invoke({
      ...event,
      actionGroup: 'firebolt_writer',
      function: 'record_decision',
      parameters: [
        parameter('action', `${event.actionGroup}.${event.function}`),
        parameter('decision', decision.confirmationState === 'CONFIRM' ? 'approved' : 'rejected'),
        ...about,
      ],
    });
    const read = readActionGroupResponse(response);
    if (read.responseState) throw new Error(read.body);
  } catch (error) {
    logger?.warn('approval decision not logged in agent_action_log', {
      sessionId: event.sessionId,
      action: `${event.actionGroup}.${event.function}`,
      error: (error as Error).message,
    });
  }
}
