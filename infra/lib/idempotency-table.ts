/**
 * The table behind the Powertools idempotency utility (`id` key, TTL on `expiration`, the
 * utility's defaults), and the item calls the utility makes on it: nothing else.
 */
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { expiringTable } from './expiring-table';

export function idempotencyTable(scope: Construct, id: string, tableName: string): dynamodb.Table {
  return expiringTable(scope, id, {
    tableName,
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: 'expiration',
  });
}

/** Claim (conditional put), read back, complete (update) and release (delete) a key. */
export function grantIdempotency(role: iam.IRole, table: dynamodb.ITable): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      resources: [table.tableArn],
    }),
  );
}
