import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Read access to one secret, and nothing else: only GetSecretValue (Secret.grantRead also grants
 * DescribeSecret, which the functions never call), plus kms:Decrypt when a customer key encrypts it.
 */
export const grantSecretRead = (grantee: IGrantable, secret: ISecret): void => {
  // An imported secret known only by name or partial ARN needs the six random characters
  // Secrets Manager appends: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
  const arn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [arn] }),
  );
  secret.encryptionKey?.grantDecrypt(grantee);
};
