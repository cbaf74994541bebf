/**
 * An AWS WAF web ACL with one rate-based rule, associated with a REST API stage: a client IP
 * sending more than `limit` requests in five minutes is blocked until its rate falls again.
 * Everything else is allowed (the API key and throttles do the rest). Metrics and sampled
 * requests are on, so a block shows in CloudWatch.
 */
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { checkInteger } from '../lib/prop-validation';

export interface RateLimitedWebAclProps {
  /** The web ACL's name (also its metric name). */
  readonly name: string;
  /** Requests per client IP in any five-minute window, from 10 to 2,000,000,000. */
  readonly limit: number;
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
}

export class RateLimitedWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: RateLimitedWebAclProps) {
    super(scope, id);
    checkInteger(this, 'limit', props.limit, 10, 2_000_000_000);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.limit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility(`${props.name}-rate-per-ip`),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
