import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FEEDBACK_IDEMPOTENCY_PARTITION, LEDGER_TABLE } from './ledger-keys';

/**
 * Where the feedback worker remembers the Flux events it handled: Powertools idempotency's DynamoDB
 * persistence layer on the release ledger table, every record in the partition
 * `idempotency#feedback` (sort key = the idempotency key, `flux-event#<sha256>`), so idempotency
 * rows never collide with release rows (`release#<chart>`), and expiring through the table's TTL
 * attribute. Powertools writes with conditional PutItem (`attribute_not_exists` or expired), which
 * is what makes a second delivery see the first, in any function instance.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/#dynamodbpersistencelayer
 */
export const feedbackIdempotencyStore = (
  client: DynamoDBClient,
  tableName: string,
): DynamoDBPersistenceLayer =>
  new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: client,
    keyAttr: LEDGER_TABLE.partitionKey,
    sortKeyAttr: LEDGER_TABLE.sortKey,
    staticPkValue: FEEDBACK_IDEMPOTENCY_PARTITION,
    expiryAttr: LEDGER_TABLE.timeToLiveAttribute,
  });
