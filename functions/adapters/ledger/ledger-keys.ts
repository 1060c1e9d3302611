/**
 * The release ledger's one DynamoDB table (what the pipeline SAW happen; git stays the desired state).
 * One table, two kinds of item, told apart by the partition key's prefix:
 *
 *   release rows   pk = "release#<chart>"        sk = "env#<environment>"   (ports/release-ledger.ts)
 *   event replays  pk = "idempotency#feedback"   sk = <hash of the event>   (Powertools idempotency)
 *
 * Items that only matter for a while (idempotency records) carry `expiresAt` (epoch seconds), the
 * table's TTL attribute. The CDK construct (infra/ledger/release-ledger-table.ts) and the local
 * runtime (functions/local/local-dynamodb.ts) build the table from these names, so they cannot drift.
 */
/**
 * DynamoDB table names: 3–255 of [a-zA-Z0-9_.-]
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
 * The functions' config and `chart-promoter status --table` check a name given to them by this rule.
 */
export const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
export const TABLE_NAME_MESSAGE = 'must be a DynamoDB table name ([a-zA-Z0-9_.-], 3–255)';

export const LEDGER_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
} as const;

export const releaseKey = (chart: string, environment: string) => ({
  [LEDGER_TABLE.partitionKey]: `release#${chart}`,
  [LEDGER_TABLE.sortKey]: `env#${environment}`,
});

/** The partition that holds Powertools' idempotency records for Flux events (its `staticPkValue`). */
export const FEEDBACK_IDEMPOTENCY_PARTITION = 'idempotency#feedback';
