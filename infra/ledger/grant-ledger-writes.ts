import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';

/**
 * What a ledger writer does (functions/adapters/ledger/dynamodb-release-ledger.ts, recordRelease):
 * GetItem (the revision, strongly consistent) and a conditional PutItem. No Scan, no Query, no
 * DeleteItem (table.grantReadWriteData would grant all of them). The table is encrypted with the
 * AWS managed key aws/dynamodb, which DynamoDB uses on behalf of any principal allowed to call it:
 * no KMS permission (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html).
 * Release rows only (`dynamodb:LeadingKeys` = `release#*`): the feedback worker's idempotency rows in
 * the same table stay out of reach of these grants (and its own grant reaches only those,
 * infra/feedback/feedback-worker.ts).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
/** The partition keys of release rows (functions/adapters/ledger/ledger-keys.ts: `release#<chart>`). */
export const RELEASE_ROWS = 'release#*';

export const LEDGER_WRITE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const;

export const grantLedgerWrites = (grantee: IGrantable, table: ITableV2): void => {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...LEDGER_WRITE_ACTIONS],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [RELEASE_ROWS] } },
    }),
  );
};
