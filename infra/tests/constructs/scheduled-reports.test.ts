import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseScheduledReports } from '../../../lambdas/shared/slack/scheduled-report';
import { slackQueueMessageSchema } from '../../../lambdas/shared/slack/slack-queue-message';
import { ScheduledReports } from '../../constructs/scheduled-reports';
import { buildApp, newRevbotApp } from '../../lib/app';
import { loadConfig } from '../../lib/config';
import { nagErrors } from '../nag-report';
import { bareStack, logicalId } from './bare-stack';

const REPORTS = parseScheduledReports([
  {
    name: 'weekly-pipeline',
    schedule: 'cron(0 8 ? * MON *)',
    timezone: 'Europe/Paris',
    question: 'What is our pipeline this quarter by segment?',
    channel: 'C0REVOPS1',
  },
  {
    name: 'daily-bookings',
    schedule: 'rate(1 day)',
    question: 'How much did we book yesterday?',
    channel: 'C0SALES01',
  },
]);

describe('ScheduledReports', () => {
  let stack: Stack;
  let queue: sqs.Queue;
  let dlq: sqs.Queue;
  beforeEach(() => {
    stack = bareStack();
    queue = new sqs.Queue(stack, 'Queue');
    dlq = new sqs.Queue(stack, 'Dlq');
  });
  const scheduledReports = (reports = REPORTS) =>
    new ScheduledReports(stack, 'Reports', {
      stage: 'test',
      reports,
      queue,
      deadLetterQueue: dlq,
    });

  it('creates one schedule per report, in its time zone, sending its message to the queue', () => {
    // WHEN
    const reports = scheduledReports();

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'revops-test-report-weekly-pipeline',
      ScheduleExpression: 'cron(0 8 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [logicalId(reports.role!), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(dlq), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'revops-test-report-daily-bookings',
      ScheduleExpression: 'rate(1 day)',
      ScheduleExpressionTimezone: 'UTC',
    });
  });

  it("sends the message the processor parses, Scheduler's run id and time filled in", () => {
    // WHEN
    scheduledReports();

    // THEN
    const schedules = Template.fromStack(stack).findResources('AWS::Scheduler::Schedule', {
      Properties: { Name: 'revops-test-report-weekly-pipeline' },
    });
    const input = Object.values(schedules)[0]?.Properties.Target.Input as string;
    const message = JSON.parse(input);
    expect(message).toEqual({
      kind: 'scheduled_report',
      version: 1,
      schedule: 'weekly-pipeline',
      question: 'What is our pipeline this quarter by segment?',
      channel: 'C0REVOPS1',
      execution_id: '<aws.scheduler.execution-id>',
      scheduled_at: '<aws.scheduler.scheduled-time>',
    });
    // As Scheduler delivers it, with the context attributes replaced.
    const delivered = JSON.parse(
      input
        .replace('<aws.scheduler.execution-id>', 'b1f2c3d4-0000-4000-8000-000000000001')
        .replace('<aws.scheduler.scheduled-time>', '2026-12-07T07:00:00Z'),
    );
    expect(slackQueueMessageSchema.safeParse(delivered).success).toBe(true);
  });

  it('gives Scheduler a role that can only send to the queue and its DLQ, for its own report schedules', () => {
    // WHEN
    const reports = scheduledReports();

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':scheduler:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':schedule/default/revops-test-report-*',
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalId(reports.role!) }] },
    });
    const statements = Object.values(policies).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [logicalId(queue), 'Arn'] },
          { 'Fn::GetAtt': [logicalId(dlq), 'Arn'] },
        ],
      },
    ]);
  });

  it('creates nothing when no report is configured', () => {
    // WHEN
    const reports = scheduledReports([]);

    // THEN
    expect(reports.role).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
  });
});

describe('the scheduledReports configuration', () => {
  it('is read from CDK context, as an array (cdk.json) or a JSON string (-c)', () => {
    const fromJson = loadConfig(new App({ context: { scheduledReports: REPORTS } }).node);
    const fromString = loadConfig(
      new App({ context: { scheduledReports: JSON.stringify(REPORTS) } }).node,
    );
    expect(fromJson.scheduledReports).toEqual(REPORTS);
    expect(fromString.scheduledReports).toEqual(REPORTS);
    expect(loadConfig(new App().node).scheduledReports).toEqual([]);
  });

  it.each([
    [{ ...REPORTS[0], schedule: 'every Monday' }, /\[0\.schedule\]: must be cron/],
    [{ ...REPORTS[0], timezone: 'Mars/Olympus' }, /\[0\.timezone\]: must be an IANA time zone/],
    [{ ...REPORTS[0], channel: '#revops' }, /\[0\.channel\]: must be a Slack channel id/],
    [{ ...REPORTS[0], name: 'Weekly Pipeline' }, /\[0\.name\]/],
  ])('refuses a bad entry with one line naming it (%#)', (entry, message) => {
    expect(() => loadConfig(new App({ context: { scheduledReports: [entry] } }).node)).toThrow(
      message,
    );
  });

  it('refuses two reports of the same name', () => {
    expect(() => parseScheduledReports([REPORTS[0], REPORTS[0]])).toThrow(/names must be unique/);
  });
});

describe('scheduled reports in the Slack gateway stack', () => {
  it('send to the Slack processor queue, with no cdk-nag finding left', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'revbot-reports-'));
    try {
      const app = newRevbotApp({
        outdir,
        context: { scheduledReports: REPORTS, 'aws:cdk:bundling-stacks': [] },
      });
      const stacks = buildApp(app);
      app.synth();
      const template = Template.fromStack(stacks.slack);
      template.resourceCountIs('AWS::Scheduler::Schedule', 2);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'revops-dev-report-weekly-pipeline',
        Target: { Arn: { 'Fn::GetAtt': [logicalId(stacks.slack.processing.queue), 'Arn'] } },
      });
      expect(nagErrors(outdir)).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
