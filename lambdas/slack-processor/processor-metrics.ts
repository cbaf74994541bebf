/**
 * The metrics the processor publishes (namespace RevBot): questions, answer feedback, the
 * per-conversation figures from the monitoring package, export failures. A narrow seam over
 * Powertools Metrics so the local stack and tests can count without CloudWatch.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';

export type MetricUnitName = 'Count' | 'None' | 'Milliseconds';

export interface ProcessorMetrics {
  add(name: string, unit: MetricUnitName, value: number, dimensions?: Record<string, string>): void;
}

export function powertoolsProcessorMetrics(metrics: Metrics): ProcessorMetrics {
  return {
    add(name, unit, value, dimensions) {
      if (!dimensions) {
        metrics.addMetric(name, unit, value);
        return;
      }
      // Dimensions of one metric must not leak onto the others: a single-metric flush.
      const single = metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions))
        single.addDimension(key, dimension);
      single.addMetric(name, unit, value);
    },
  };
}

/** Keeps metrics in memory: the local stack and tests. */
export function recordingProcessorMetrics(): ProcessorMetrics & {
  recorded: {
    name: string;
    unit: MetricUnitName;
    value: number;
    dimensions?: Record<string, string>;
  }[];
} {
  const recorded: {
    name: string;
    unit: MetricUnitName;
    value: number;
    dimensions?: Record<string, string>;
  }[] = [];
  return {
    recorded,
    add(name, unit, value, dimensions) {
      recorded.push({ name, unit, value, ...(dimensions ? { dimensions } : {}) });
    },
  };
}
