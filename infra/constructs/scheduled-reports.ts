/**
 * Scheduled reports in AWS: one EventBridge Scheduler schedule per configured report, each
 * putting the report's queue message (`lambdas/shared/slack/scheduled-report.ts`, the message the
 * processor parses) on the Slack processor's queue at its time, in its time zone. One role for
 * all of them, assumable only by this account's report schedules, may only send to that queue
 * (and its dead-letter queue, where Scheduler parks a run it could not deliver).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  SCHEDULER_EXECUTION_ID,
  SCHEDULER_SCHEDULED_TIME,
  type ScheduledReport,
  scheduledReportMessage,
} from '../../lambdas/shared/slack/scheduled-report';
import { resourceName } from '../lib/naming';

export interface ScheduledReportsProps {
  readonly stage: string;
  /** The reports, validated (`parseScheduledReports`). */
  readonly reports: readonly ScheduledReport[];
  /** The Slack processor's queue. */
  readonly queue: sqs.IQueue;
  /** Where Scheduler sends a run it could not deliver after its retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Scheduler's delivery retries before the dead-letter queue.
   * @default 3
   */
  readonly maxRetryAttempts?: number;
}

/** How late a run may still be delivered: a Monday report is no use on Tuesday. */
const MAX_EVENT_AGE_SECONDS = 3_600;

export class ScheduledReports extends Construct {
  /** Undefined when no report is configured: nothing is created. */
  readonly role?: iam.Role;
  readonly schedules: CfnSchedule[] = [];

  constructor(scope: Construct, id: string, props: ScheduledReportsProps) {
    super(scope, id);
    if (props.reports.length === 0) return;
    const stack = Stack.of(this);
    const namePrefix = resourceName(props.stage, 'report-');

    this.role = new iam.Role(this, 'Role', {
      description: 'EventBridge Scheduler: puts scheduled RevBot reports on the Slack queue',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule',
              resourceName: `default/${namePrefix}*`,
            }),
          },
        },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [props.queue.queueArn, props.deadLetterQueue.queueArn],
      }),
    );

    for (const report of props.reports) {
      const message = scheduledReportMessage(report, {
        executionId: SCHEDULER_EXECUTION_ID,
        scheduledAt: SCHEDULER_SCHEDULED_TIME,
      });
      this.schedules.push(
        new CfnSchedule(this, `Report-${report.name}`, {
          name: `${namePrefix}${report.name}`,
          description: `RevBot scheduled report "${report.name}" to ${report.channel}`,
          scheduleExpression: report.schedule,
          scheduleExpressionTimezone: report.timezone,
          flexibleTimeWindow: { mode: 'OFF' },
          state: 'ENABLED',
          target: {
            arn: props.queue.queueArn,
            roleArn: this.role.roleArn,
            input: JSON.stringify(message),
            retryPolicy: {
              maximumRetryAttempts: props.maxRetryAttempts ?? 3,
              maximumEventAgeInSeconds: MAX_EVENT_AGE_SECONDS,
            },
            deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
          },
        }),
      );
    }
  }
}
