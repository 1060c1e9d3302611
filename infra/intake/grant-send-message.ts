import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/**
 * sqs:SendMessage on one queue and nothing else (queue.grantSendMessages also grants
 * GetQueueAttributes and GetQueueUrl, which the scheduler never calls: it is given the queue URL).
 * A queue encrypted with a customer key also needs kms:GenerateDataKey and kms:Decrypt on that key:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#send-to-encrypted-queue
 * (SSE-SQS, what the intake queue uses, needs no key permission).
 */
export const grantSendMessage = (grantee: IGrantable, queue: IQueue): void => {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
  queue.encryptionMasterKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
};
