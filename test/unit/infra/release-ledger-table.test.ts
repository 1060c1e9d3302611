import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LEDGER_TABLE } from '../../../functions/adapters/ledger/ledger-table';
import { ReleaseLedgerTable } from '../../../infra/ledger/release-ledger-table';
import { nagFindings, onlyResource } from '../../support/cdk-template';

const synth = (props?: ConstructorParameters<typeof ReleaseLedgerTable>[2]) => {
  const stack = new Stack(new App(), 'Ledger');
  new ReleaseLedgerTable(stack, 'Ledger', props);
  return { stack, template: Template.fromStack(stack) };
};

describe('ReleaseLedgerTable', () => {
  it('is one on-demand, encrypted table with point-in-time recovery, the shared key names and TTL, kept on delete', () => {
    // Act
    const { template } = synth();
    // Assess
    const { properties } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect(properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(properties.KeySchema).toEqual([
      { AttributeName: LEDGER_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: LEDGER_TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(properties.TimeToLiveSpecification).toEqual({
      AttributeName: LEDGER_TABLE.timeToLiveAttribute,
      Enabled: true,
    });
    expect(properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
  });

  it('can be destroyed with the stack and without point-in-time recovery when asked', () => {
    // Act
    const { template } = synth({ removalPolicy: RemovalPolicy.DESTROY, pointInTimeRecovery: false });
    // Assess
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    const { properties } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect(properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: false,
    });
  });

  it('passes cdk-nag AwsSolutions', () => {
    // Act
    const { stack } = synth();
    // Assess
    expect(nagFindings(stack)).toEqual([]);
  });
});
