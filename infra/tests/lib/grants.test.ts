import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { RevbotFunction } from '../../constructs/revbot-function';
import { configureBudgets } from '../../lib/grants';
import { bareStack, logicalId } from '../constructs/bare-stack';

const BUDGETS = '{"slackUser":{"tokens":2000000},"timeZone":"America/New_York"}';

function setup(config: { budgets?: string; modelPrices?: string }) {
  // GIVEN a processor and its channel's table
  const stack = bareStack();
  const table = new dynamodb.Table(stack, 'Events', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  });
  const fn = new RevbotFunction(stack, 'Fn', {
    stage: 'test',
    name: 'slack-processor',
    entry: 'slack-processor/handler.ts',
    description: 'Answers',
    timeout: Duration.seconds(30),
    memorySize: 512,
  });
  // WHEN
  configureBudgets(fn, config, { table, key: 'id', ttl: 'expiration', grantUpdate: true });
  return { template: Template.fromStack(stack), table };
}

describe('configureBudgets', () => {
  it('gives the function BUDGETS, the table and its key names, and UpdateItem on budget# items only', () => {
    const { template, table } = setup({ budgets: BUDGETS, modelPrices: '{}' });
    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          BUDGETS,
          BUDGET_TABLE: { Ref: logicalId(table) },
          BUDGET_TABLE_KEY: 'id',
          BUDGET_TABLE_TTL: 'expiration',
          MODEL_PRICES: '{}',
        },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'dynamodb:UpdateItem',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalId(table), 'Arn'] },
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['budget#*'] } },
          },
        ]),
      },
    });
  });

  it('adds nothing without budgets', () => {
    const { template } = setup({});
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('dynamodb');
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }[];
    expect(Object.keys(fn?.Properties.Environment?.Variables ?? {})).not.toContain('BUDGETS');
  });
});
