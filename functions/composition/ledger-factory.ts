import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbReleaseLedger } from '../adapters/ledger/dynamodb-release-ledger';
import type { LedgerConfig } from '../config/ledger-config';

/**
 * The release ledger of a Lambda function: its table in DynamoDB through a traced client, or
 * undefined when no table is configured (nothing is recorded). IAM: dynamodb:GetItem, PutItem
 * (writers), Query and Scan on the table.
 */
export const createReleaseLedger = (
  config: LedgerConfig,
  tracer: Tracer,
): DynamoDbReleaseLedger | undefined =>
  config.ledgerTable === undefined
    ? undefined
    : new DynamoDbReleaseLedger(tracer.captureAWSv3Client(new DynamoDBClient({})), config.ledgerTable);
