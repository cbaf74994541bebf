/**
 * A DynamoDB that speaks the real wire protocol on 127.0.0.1 (dynalite, in memory), so the
 * DynamoDB-backed stores run their real conditional writes in tests. The same embedded DynamoDB
 * the local stack runs on.
 */
export {
  type EmbeddedDynamoDb as LocalDynamoDb,
  startEmbeddedDynamoDb as startLocalDynamoDb,
} from './embedded-dynamodb';
