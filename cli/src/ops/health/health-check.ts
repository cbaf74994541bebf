/** One line of `revbot doctor`: what was checked, how it is, and the fix when it is not healthy. */

export type HealthStatus = 'ok' | 'warn' | 'fail';

export const HEALTH_GROUPS = [
  'Stacks',
  'Agents',
  'Tools',
  'Knowledge base',
  'Queues',
  'Secrets',
  'Endpoints',
  'Lambda errors',
] as const;
export type HealthGroup = (typeof HEALTH_GROUPS)[number];

export interface HealthCheck {
  group: HealthGroup;
  /** What was checked: a stack, agent, queue, secret name… */
  name: string;
  status: HealthStatus;
  detail: string;
  /** What to do about it; present whenever the status is not ok. */
  fix?: string;
}

export const ok = (group: HealthGroup, name: string, detail: string): HealthCheck => ({
  group,
  name,
  status: 'ok',
  detail,
});

export const problem = (
  group: HealthGroup,
  name: string,
  detail: string,
  fix: string,
  status: 'warn' | 'fail' = 'fail',
): HealthCheck => ({ group, name, status, detail, fix });
