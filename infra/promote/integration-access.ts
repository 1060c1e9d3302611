import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { grantSecretRead } from '../credentials/grant-secret-read';
import type { PipelineSettings } from '../pipeline/pipeline-props';

/**
 * `s3://bucket/key` split in two, without judging the names: the bucket part may be a token
 * (`s3://${bucket.bucketName}/keyring.asc`). Name rules are checked by `parseS3Uri` when known.
 */
export const splitS3Uri = (uri: string): { bucket: string; key: string } | undefined => {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1] ?? '', key: match[2] ?? '' } : undefined;
};

/** The existing resources the promote function's optional integrations read. */
export interface IntegrationAccess {
  /** ARN of the one keyring object (`arn:<partition>:s3:::bucket/key`). */
  readonly keyringObjectArn?: string;
  readonly keyringSecret?: ISecret;
  readonly jiraSecret?: ISecret;
}

/** Imports the keyring and Jira resources named in the (validated) settings. */
export const integrationAccess = (
  scope: Construct,
  settings: Pick<PipelineSettings, 'provenance' | 'jira'>,
): IntegrationAccess => {
  const { provenance, jira } = settings;
  const object = provenance?.keyringS3Uri === undefined ? undefined : splitS3Uri(provenance.keyringS3Uri);
  const secretArn = provenance?.keyringSecretArn;
  return {
    ...(object === undefined
      ? {}
      : {
          keyringObjectArn: Stack.of(scope).formatArn({
            service: 's3',
            region: '',
            account: '',
            resource: object.bucket,
            resourceName: object.key,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        }),
    ...(secretArn === undefined
      ? {}
      : { keyringSecret: Secret.fromSecretCompleteArn(scope, 'KeyringSecret', secretArn) }),
    ...(jira === undefined
      ? {}
      : { jiraSecret: Secret.fromSecretCompleteArn(scope, 'JiraSecret', jira.secretArn) }),
  };
};

/**
 * Least privilege for the integrations: s3:GetObject on the keyring object alone (no version, no
 * listing: the function reads the current keyring), GetSecretValue on the keyring and Jira secrets.
 */
export const grantIntegrationAccess = (grantee: IGrantable, access: IntegrationAccess): void => {
  if (access.keyringObjectArn !== undefined)
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [access.keyringObjectArn] }),
    );
  if (access.keyringSecret !== undefined) grantSecretRead(grantee, access.keyringSecret);
  if (access.jiraSecret !== undefined) grantSecretRead(grantee, access.jiraSecret);
};
