/**
 * The one kind of DynamoDB table RevBot keeps: short-lived items (claims, request statuses,
 * agent sessions) that expire by TTL, billed per request, encrypted, with point-in-time recovery,
 * destroyed with the stack since nothing in them outlives their TTL.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';

export interface ExpiringTableProps {
  readonly tableName: string;
  readonly partitionKey: dynamodb.Attribute;
  /** @default - no sort key */
  readonly sortKey?: dynamodb.Attribute;
  /** The item attribute holding its expiry, in epoch seconds. */
  readonly timeToLiveAttribute: string;
}

export function expiringTable(
  scope: Construct,
  id: string,
  props: ExpiringTableProps,
): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    ...props,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
