import { Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  acceptedCredentials,
  DEFAULT_GIT_HOST_KIND,
  type GitHostKind,
  gitHostDescriptor,
} from '../../functions/adapters/git-hosts/registry';
import { grantSecretRead } from './grant-secret-read';

export interface GitCredentialsProps {
  /** An existing secret to use. @default - a new secret, empty until an operator puts the credentials in */
  readonly secret?: ISecret;
  /** The host the credentials are for: the new secret's description names what it must hold. @default 'github' */
  readonly gitHostKind?: GitHostKind;
}

/** The Secrets Manager secret holding the Git host credentials (what the host's descriptor accepts). */
export class GitCredentials extends Construct {
  readonly secret: ISecret;

  constructor(scope: Construct, id: string, props: GitCredentialsProps = {}) {
    super(scope, id);
    this.secret =
      props.secret ?? this.newSecret(gitHostDescriptor(props.gitHostKind ?? DEFAULT_GIT_HOST_KIND));
  }

  /** GetSecretValue on this one secret (and decrypt with its key, if it has its own). */
  grantRead(grantee: IGrantable): void {
    grantSecretRead(grantee, this.secret);
  }

  private newSecret(host: ReturnType<typeof gitHostDescriptor>): Secret {
    const secret = new Secret(this, 'Secret', {
      // Created with a random placeholder value; the operator replaces it (README: Deploy to AWS).
      // Secrets Manager allows 2,048 characters of description; every host's format fits.
      description: `chart-promoter: ${host.displayName} credentials for the cluster repository, JSON: ${host.credentialsFormat} (replace the placeholder)`,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        `The secret holds a ${host.displayName} credential (${acceptedCredentials(host)}) issued by the Git host; ` +
        'it is rotated there, not by a Secrets Manager rotation Lambda.',
    });
    return secret;
  }
}
