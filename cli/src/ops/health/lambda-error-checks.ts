/** Lambda `Errors` in a recent window, for every RevBot function of the stage (CloudWatch metrics). */
import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { plural } from '../format';
import { type HealthCheck, ok, problem } from './health-check';

export async function checkLambdaErrors(
  client: CloudWatchClient,
  functions: { name: string; short: string }[],
  window: { ms: number; label: string },
  now: number,
): Promise<HealthCheck[]> {
  if (functions.length === 0) return [];
  const windowMs = window.ms;
  const period = Math.max(60, Math.round(windowMs / 60_000) * 60);
  const end = new Date(Math.floor(now / 60_000) * 60_000);
  const start = new Date(end.getTime() - windowMs);
  const errors = new Map<string, number>();
  // GetMetricData takes up to 500 queries per call.
  for (let offset = 0; offset < functions.length; offset += 500) {
    const batch = functions.slice(offset, offset + 500);
    let nextToken: string | undefined;
    do {
      const response = await client.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          NextToken: nextToken,
          MetricDataQueries: batch.map((fn, i) => ({
            Id: `f${offset + i}`,
            Label: fn.name,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Errors',
                Dimensions: [{ Name: 'FunctionName', Value: fn.name }],
              },
              Period: period,
              Stat: 'Sum',
            },
            ReturnData: true,
          })),
        }),
      );
      for (const result of response.MetricDataResults ?? []) {
        const index = Number(result.Id?.slice(1));
        const fn = functions[index];
        if (!fn) continue;
        const sum = (result.Values ?? []).reduce((total, value) => total + value, 0);
        errors.set(fn.name, (errors.get(fn.name) ?? 0) + sum);
      }
      nextToken = response.NextToken;
    } while (nextToken);
  }
  const failing = functions.filter((fn) => (errors.get(fn.name) ?? 0) > 0);
  if (failing.length === 0) {
    return [
      ok(
        'Lambda errors',
        'functions',
        `no errors in ${plural(functions.length, 'function')} in the last ${window.label}`,
      ),
    ];
  }
  return failing.map((fn) =>
    problem(
      'Lambda errors',
      fn.short,
      `${plural(errors.get(fn.name) ?? 0, 'error')} in the last ${window.label}`,
      `revbot logs ${fn.short} --since ${window.label}`,
    ),
  );
}
