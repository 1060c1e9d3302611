import { Duration, Validations } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import {
  type FunctionUrl,
  FunctionUrlAuthType,
  InvokeMode,
  type Function as LambdaFunction,
} from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FEEDBACK_ENV } from '../../functions/config/feedback-config';
import { INTEGRATIONS_ENV } from '../../functions/config/integrations-config';
import type { GitCredentials } from '../credentials/git-credentials';
import { grantSecretRead } from '../credentials/grant-secret-read';
import { grantSendMessage } from '../intake/grant-send-message';
import { acknowledgeTracingWildcard, bundledNodeFunction } from '../lambda/bundled-node-function';
import { grantIntegrationAccess } from '../promote/integration-access';

/** The Jira site the feedback function comments on (the promote function's, from integrationAccess). */
export interface FeedbackJiraProps {
  /** Site root: `https://example.atlassian.net` or `https://jira.example.com[/context]`. */
  readonly baseUrl: string;
  /** The secret holding the Jira token (read only). */
  readonly secret: ISecret;
}

export interface FeedbackEndpointProps {
  /** The intake queue: promotions after a soak are scheduled on it (SQS delay hops). */
  readonly queue: IQueue;
  readonly credentials: GitCredentials;
  /** The repository variables the function shares with the promote function (repositoryEnvironment). */
  readonly environment: Record<string, string>;
  /**
   * The secret holding the generic-hmac key (the Flux Provider secret's `token`).
   * @default - a new secret with a generated 48-character alphanumeric key
   */
  readonly webhookSecret?: ISecret;
  /** Events older than this are refused as stale. */
  readonly maxEventAgeSeconds: number;
  /** Reserved concurrency: the most concurrent invocations, whatever arrives at the public URL. */
  readonly reservedConcurrency: number;
  readonly logRetention: RetentionDays;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * Enough for one promotion commit with retries on a moved branch. Flux's default delivery timeout
   * is shorter (Provider `spec.timeout`); a delivery that times out is retried by Flux and the
   * retry is recognised as a replay, so a slow commit is still made once.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Jira comments on the promotions and rollbacks the function makes (issue keys carried by the
   * HelmReleases), with GetSecretValue on the Jira secret.
   * @default - none
   */
  readonly jira?: FeedbackJiraProps;
  /** The handler module. @default functions/handlers/feedback.ts of this repository */
  readonly entry?: string;
}

/**
 * The endpoint Flux's notification-controller calls (Provider type generic-hmac): the feedback
 * function behind a Lambda function URL, the webhook HMAC secret, and what the function may touch —
 * the HMAC secret and the Git credentials (read), the intake queue (send, for soak scheduling), and
 * the Jira secret (read) when Jira comments are on.
 * No helm layer: the feedback function moves versions already validated and committed by promote.
 */
export class FeedbackEndpoint extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly url: FunctionUrl;
  readonly webhookSecret: ISecret;

  constructor(scope: Construct, id: string, props: FeedbackEndpointProps) {
    super(scope, id);
    this.webhookSecret = props.webhookSecret ?? this.newWebhookSecret();
    const parts = bundledNodeFunction(this, {
      description:
        'chart-promoter: Flux notification webhook (generic-hmac): convergence, promotion, rollback',
      entry: props.entry ?? 'functions/handlers/feedback.ts',
      roleDescription: 'chart-promoter feedback function',
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        ...props.environment,
        [FEEDBACK_ENV.webhookSecretArn]: this.webhookSecret.secretArn,
        [FEEDBACK_ENV.intakeQueueUrl]: props.queue.queueUrl,
        [FEEDBACK_ENV.maxEventAgeSeconds]: String(props.maxEventAgeSeconds),
        ...(props.jira === undefined
          ? {}
          : {
              [INTEGRATIONS_ENV.jiraBaseUrl]: props.jira.baseUrl,
              [INTEGRATIONS_ENV.jiraSecretArn]: props.jira.secret.secretArn,
            }),
      },
      logRetention: props.logRetention,
    });
    this.function = parts.function;
    this.logGroup = parts.logGroup;
    this.role = parts.role;

    // authType NONE on purpose: Flux's notification-controller posts plain HTTPS and cannot sign
    // requests with SigV4, so AWS_IAM would refuse every event. Authentication is the generic-hmac
    // signature (X-Signature: sha256=<hex> over the raw body, key in the webhook secret), verified
    // in constant time before anything else, plus freshness and replay checks; the reserved
    // concurrency bounds what unauthenticated callers can cost.
    // https://fluxcd.io/flux/components/notification/providers/#generic-webhook-with-hmac
    // https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
    this.url = this.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });

    grantSecretRead(this.role, this.webhookSecret);
    props.credentials.grantRead(this.role);
    grantSendMessage(this.role, props.queue);
    if (props.jira !== undefined) grantIntegrationAccess(this.role, { jiraSecret: props.jira.secret });
    acknowledgeTracingWildcard(this.role);
  }

  private newWebhookSecret(): Secret {
    const secret = new Secret(this, 'WebhookSecret', {
      description:
        'chart-promoter: generic-hmac key of the Flux notification Provider (copy into the cluster as key "token")',
      // Alphanumeric: pasted into `kubectl create secret` and YAML without quoting trouble.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The HMAC key is shared with a Kubernetes Secret in the cluster that a rotation Lambda cannot ' +
        'update; rotate both sides together by hand (README: The Flux side).',
    });
    return secret;
  }
}
