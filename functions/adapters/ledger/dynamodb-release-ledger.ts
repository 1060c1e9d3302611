import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { PromoterError } from '../../errors';
import { LedgerConflictError, type ReleaseLedger, type ReleaseRecord } from '../../ports/release-ledger';
import { LEDGER_TABLE, releaseKey } from './ledger-keys';

const RELEASE_PREFIX = 'release#';

/**
 * Errors that no retry fixes: the table, the permissions or the request are wrong (an operator
 * changes the deployment). Everything else — throttling, 5xx, network resets — passes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
const MISCONFIGURED = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'ValidationException',
  'UnrecognizedClientException',
  'MissingAuthenticationTokenException',
  'InvalidSignatureException',
  'SerializationException',
]);

/** Maps a DynamoDB failure to LEDGER_MISCONFIGURED (terminal) or LEDGER_UNAVAILABLE (retryable). */
export const ledgerError = (error: unknown, action: string, table: string): PromoterError => {
  if (error instanceof PromoterError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  return MISCONFIGURED.has(name)
    ? new PromoterError(
        'LEDGER_MISCONFIGURED',
        'terminal',
        `${action} on ledger table ${table}: ${name}: ${detail}`,
        { cause: error },
      )
    : new PromoterError(
        'LEDGER_UNAVAILABLE',
        'retryable',
        `${action} on ledger table ${table}: ${name}: ${detail}`,
        {
          cause: error,
        },
      );
};

/** A stored item back to the port's record: the keys and the TTL attribute are the table's business. */
const toRecord = (item: Record<string, unknown>): ReleaseRecord => {
  const {
    [LEDGER_TABLE.partitionKey]: _pk,
    [LEDGER_TABLE.sortKey]: _sk,
    [LEDGER_TABLE.timeToLiveAttribute]: _ttl,
    ...record
  } = item;
  return record as unknown as ReleaseRecord;
};

const byChartThenEnvironment = (a: ReleaseRecord, b: ReleaseRecord): number =>
  a.chart.localeCompare(b.chart) || a.environment.localeCompare(b.environment);

/**
 * The release ledger in the one DynamoDB table (ledger-keys.ts): one item per chart × environment,
 * `pk = release#<chart>`, `sk = env#<environment>`. Reads are strongly consistent (a writer reads its
 * revision, then compares it: an eventually consistent read could hand it a stale one and make every
 * write conflict); writes are PutItem conditioned on the revision read
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html).
 * Items of other partitions (Powertools idempotency rows, `idempotency#…`) are never read or written.
 */
export class DynamoDbReleaseLedger implements ReleaseLedger {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async get(chart: string, environment: string): Promise<ReleaseRecord | undefined> {
    try {
      const { Item } = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: releaseKey(chart, environment),
          ConsistentRead: true,
        }),
      );
      return Item === undefined ? undefined : toRecord(Item);
    } catch (error) {
      throw ledgerError(error, `reading ${chart} in ${environment}`, this.tableName);
    }
  }

  async put(record: ReleaseRecord, expectedRevision: number | undefined): Promise<void> {
    const condition: Pick<
      PutCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > =
      expectedRevision === undefined
        ? {
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': LEDGER_TABLE.partitionKey },
          }
        : {
            ConditionExpression: '#revision = :expected',
            ExpressionAttributeNames: { '#revision': 'revision' },
            ExpressionAttributeValues: { ':expected': expectedRevision },
          };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, ...releaseKey(record.chart, record.environment) },
          ...condition,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new LedgerConflictError(record.chart, record.environment, expectedRevision, error);
      throw ledgerError(error, `writing ${record.chart} in ${record.environment}`, this.tableName);
    }
  }

  /**
   * One chart: a Query of its partition. Every chart: a Scan of the release partitions (the table
   * also holds idempotency rows, filtered out). Both page to the end and are strongly consistent.
   */
  async list(
    filter: { readonly chart?: string; readonly environment?: string } = {},
  ): Promise<ReleaseRecord[]> {
    const records: ReleaseRecord[] = [];
    try {
      if (filter.chart !== undefined) {
        const key = releaseKey(filter.chart, filter.environment ?? '');
        const pages = paginateQuery(
          { client: this.documents },
          {
            TableName: this.tableName,
            ConsistentRead: true,
            KeyConditionExpression:
              filter.environment === undefined ? '#pk = :pk' : '#pk = :pk AND #sk = :sk',
            ExpressionAttributeNames: {
              '#pk': LEDGER_TABLE.partitionKey,
              ...(filter.environment === undefined ? {} : { '#sk': LEDGER_TABLE.sortKey }),
            },
            ExpressionAttributeValues: {
              ':pk': key.pk,
              ...(filter.environment === undefined ? {} : { ':sk': key.sk }),
            },
          },
        );
        for await (const page of pages) for (const item of page.Items ?? []) records.push(toRecord(item));
      } else {
        const pages = paginateScan(
          { client: this.documents },
          {
            TableName: this.tableName,
            ConsistentRead: true,
            FilterExpression:
              filter.environment === undefined
                ? 'begins_with(#pk, :release)'
                : 'begins_with(#pk, :release) AND #sk = :sk',
            ExpressionAttributeNames: {
              '#pk': LEDGER_TABLE.partitionKey,
              ...(filter.environment === undefined ? {} : { '#sk': LEDGER_TABLE.sortKey }),
            },
            ExpressionAttributeValues: {
              ':release': RELEASE_PREFIX,
              ...(filter.environment === undefined ? {} : { ':sk': releaseKey('', filter.environment).sk }),
            },
          },
        );
        for await (const page of pages) for (const item of page.Items ?? []) records.push(toRecord(item));
      }
    } catch (error) {
      throw ledgerError(error, 'listing releases', this.tableName);
    }
    return records.sort(byChartThenEnvironment);
  }
}
