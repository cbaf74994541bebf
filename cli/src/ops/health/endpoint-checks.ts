/**
 * The channels' public endpoints answer. The probe sends nothing a handler would act on: an
 * unsigned Slack event (the handler must refuse it) and a webhook call without an API key (API
 * Gateway refuses it). Any answer below 500 means the API and its integration are up.
 */
import { formatDuration } from '../format';
import { type HealthCheck, ok, problem } from './health-check';

export interface Endpoint {
  name: string;
  url: string;
  /** Function to read the logs of when the endpoint fails. */
  logsOf: string;
}

export async function checkEndpoint(endpoint: Endpoint, timeoutMs: number): Promise<HealthCheck> {
  const started = performance.now();
  try {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'revbot-doctor' },
      body: JSON.stringify({ type: 'revbot_doctor_probe' }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await response.arrayBuffer().catch(() => undefined);
    const took = formatDuration(performance.now() - started);
    if (response.status >= 500) {
      return problem(
        'Endpoints',
        endpoint.name,
        `POST ${endpoint.url} answered ${response.status} in ${took}`,
        `see the errors: revbot logs ${endpoint.logsOf} --since 1h`,
      );
    }
    return ok(
      'Endpoints',
      endpoint.name,
      `POST ${endpoint.url} answered ${response.status} in ${took}`,
    );
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${formatDuration(timeoutMs)}`
        : (cause ?? (error as Error).message);
    return problem(
      'Endpoints',
      endpoint.name,
      `POST ${endpoint.url} did not answer: ${reason}`,
      'check the API Gateway stage exists and the URL resolves; redeploy the gateway stack',
    );
  }
}
