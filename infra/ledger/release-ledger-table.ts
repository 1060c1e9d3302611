import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { LEDGER_TABLE } from '../../functions/adapters/ledger/ledger-keys';

export interface ReleaseLedgerTableProps {
  /**
   * What happens to the table when the stack is deleted. The ledger is history a team may want to
   * keep (lead times, rollbacks), so it is kept unless asked otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Point-in-time recovery (35 days of restorable history).
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
}

/**
 * The release ledger: one on-demand DynamoDB table, encrypted, with point-in-time recovery and a TTL
 * attribute for the records that only matter for a while (Flux event replay protection). Its key
 * names come from functions/adapters/ledger/ledger-table.ts, the same module the functions and the
 * local runtime (dynalite) build it from. Grant access with `table.grantReadWriteData(fn)` or
 * `table.grantReadData(fn)`: each function gets only what it uses.
 */
export class ReleaseLedgerTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: ReleaseLedgerTableProps = {}) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: LEDGER_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: LEDGER_TABLE.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      timeToLiveAttribute: LEDGER_TABLE.timeToLiveAttribute,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
