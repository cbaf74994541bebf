/**
 * The agents' steps as Slack `task_update` chunks: each collaborator hand-off, tool call and
 * knowledge-base lookup in the runtime's trace events becomes one task, titled with the same
 * words as the progress hints (`describeProgress`), that goes pending → in progress → complete or
 * error. An input trace opens a step and the observation with the same agent and traceId closes
 * it, as Bedrock pairs them. A step waits as pending while an earlier step of the same agent is
 * still running (the runtime runs an agent's tool calls one after the other), and a failure trace
 * or a failed run marks whatever is still open as error.
 */
import type { AgentStreamEvent } from '@revbot/agents';
import { describeProgress } from '@revbot/monitoring';

export type StepStatus = 'pending' | 'in_progress' | 'complete' | 'error';

/** Slack's `task_update` chunk. */
export interface TaskUpdate {
  type: 'task_update';
  id: string;
  title: string;
  status: StepStatus;
}

interface Step {
  id: string;
  agent: string;
  title: string;
  status: StepStatus;
}

type Rec = Record<string, unknown>;
const rec = (value: unknown): Rec | undefined =>
  value !== null && typeof value === 'object' ? (value as Rec) : undefined;

export class AgentSteps {
  private readonly steps = new Map<string, Step>();

  constructor(private readonly agentNames?: ReadonlyMap<string, string>) {}

  /** The task updates `event` causes, in order; none for most events. */
  update(event: AgentStreamEvent): TaskUpdate[] {
    const part = rec((event as Rec).trace);
    const trace = rec(part?.trace);
    if (!part || !trace) return [];
    const agent = String(part.agentId ?? '');
    if (trace.failureTrace !== undefined) return this.close('error', agent);
    const steps = rec(trace.orchestrationTrace) ?? rec(trace.routingClassifierTrace);
    const input = rec(steps?.invocationInput);
    const observation = rec(steps?.observation);
    if (input) {
      const hint = describeProgress(event, { agentNames: this.agentNames });
      if (!hint) return [];
      const id = `${agent}:${String(input.traceId ?? this.steps.size)}`;
      if (this.steps.has(id)) return [];
      const busy = [...this.steps.values()].some(
        (s) => s.agent === agent && s.status === 'in_progress',
      );
      const step: Step = {
        id,
        agent,
        title: hint.replace(/…$/, ''),
        status: busy ? 'pending' : 'in_progress',
      };
      this.steps.set(id, step);
      return [toUpdate(step)];
    }
    if (observation) {
      const step = this.steps.get(`${agent}:${String(observation.traceId ?? '')}`);
      if (!step || step.status === 'complete' || step.status === 'error') return [];
      step.status = 'complete';
      const updates = [toUpdate(step)];
      // The next waiting step of that agent starts now.
      const next = [...this.steps.values()].find(
        (s) => s.agent === agent && s.status === 'pending',
      );
      if (next) {
        next.status = 'in_progress';
        updates.push(toUpdate(next));
      }
      return updates;
    }
    return [];
  }

  /**
   * Closes the steps still open: `complete` when the run answered, `error` when it failed or was
   * stopped. With `agent`, only that agent's steps.
   */
  close(status: 'complete' | 'error', agent?: string): TaskUpdate[] {
    const updates: TaskUpdate[] = [];
    for (const step of this.steps.values()) {
      if (agent !== undefined && agent !== '' && step.agent !== agent) continue;
      if (step.status === 'pending' || step.status === 'in_progress') {
        step.status = status;
        updates.push(toUpdate(step));
      }
    }
    return updates;
  }

  /** How many steps were seen. */
  get count(): number {
    return this.steps.size;
  }
}

const toUpdate = (step: Step): TaskUpdate => ({
  type: 'task_update',
  id: step.id,
  title: step.title,
  status: step.status,
});
