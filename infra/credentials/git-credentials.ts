import { Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { grantSecretRead } from './grant-secret-read';

export interface GitCredentialsProps {
  /** An existing secret to use. @default - a new secret, empty until an operator puts the credentials in */
  readonly secret?: ISecret;
}

/** The Secrets Manager secret holding the Git host credentials (a GitHub App key or a token). */
export class GitCredentials extends Construct {
  readonly secret: ISecret;

  constructor(scope: Construct, id: string, props: GitCredentialsProps = {}) {
    super(scope, id);
    this.secret = props.secret ?? this.newSecret();
  }

  /** GetSecretValue on this one secret (and decrypt with its key, if it has its own). */
  grantRead(grantee: IGrantable): void {
    grantSecretRead(grantee, this.secret);
  }

  private newSecret(): Secret {
    const secret = new Secret(this, 'Secret', {
      // Created with a random placeholder value; the operator replaces it (README: Deploy to AWS).
      description:
        'chart-promoter: Git host credentials for the cluster repository (replace the placeholder)',
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret holds a Git host credential (GitHub App key or token) issued by the Git host; ' +
        'it is rotated there, not by a Secrets Manager rotation Lambda.',
    });
    return secret;
  }
}
