import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RateLimitedWebAcl } from '../../constructs/rate-limited-web-acl';

const STAGE_ARN = 'arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod';

describe('RateLimitedWebAcl', () => {
  it('blocks a client IP above the limit per five minutes and allows the rest, on the given stage', () => {
    // GIVEN
    const stack = new Stack();
    // WHEN
    new RateLimitedWebAcl(stack, 'Acl', {
      name: 'revops-prod-webhook-api-acl',
      limit: 500,
      stageArn: STAGE_ARN,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'revops-prod-webhook-api-acl',
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'rate-per-ip',
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
          },
          VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true }),
        }),
      ],
    });
    const [aclId] = Object.keys(template.findResources('AWS::WAFv2::WebACL'));
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: STAGE_ARN,
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
    });
  });

  it('refuses a limit WAF does not accept', () => {
    expect(
      () => new RateLimitedWebAcl(new Stack(), 'Acl', { name: 'a', limit: 5, stageArn: STAGE_ARN }),
    ).toThrow(/limit/);
  });
});
