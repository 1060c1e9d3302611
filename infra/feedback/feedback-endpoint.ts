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
import { FEEDBACK_INGRESS_ENV } from '../../functions/config/feedback-ingress-config';
import { grantSecretRead } from '../credentials/grant-secret-read';
import { grantSendMessage } from '../intake/grant-send-message';
import { acknowledgeTracingWildcard, bundledNodeFunction } from '../lambda/bundled-node-function';

/** The Jira site the feedback worker comments on (the promote function's, from integrationAccess). */
export interface FeedbackJiraProps {
  /** Site root: `https://example.atlassian.net` or `https://jira.example.com[/context]`. */
  readonly baseUrl: string;
  /** The secret holding the Jira token (read only). */
  readonly secret: ISecret;
}

export interface FeedbackEndpointProps {
  /** The feedback queue (FIFO): accepted events go there, for the worker. */
  readonly feedbackQueue: IQueue;
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
  /** @default 256 */
  readonly memorySize?: number;
  /**
   * The endpoint verifies and enqueues: it answers in well under a second once warm. The timeout
   * only bounds a cold start and a slow Secrets Manager or SQS answer; Flux's Provider timeout
   * (`spec.timeout`, default 15 s) must stay above it, or Flux gives up first and retries.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /** The handler module. @default functions/handlers/feedback.ts of this repository */
  readonly entry?: string;
}

/**
 * The endpoint Flux's notification-controller calls (Provider type generic-hmac): the feedback
 * function behind a Lambda function URL and the webhook HMAC secret. It verifies the signature,
 * size, shape and freshness of an event, puts it on the feedback queue and answers 202; it may only
 * read the HMAC secret and send to the feedback queue. The work on the event is the feedback
 * worker's (feedback-worker.ts): no Git credentials, no repository access here.
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
      description: 'chart-promoter: Flux notification webhook (generic-hmac): verify, queue, answer 202',
      entry: props.entry ?? 'functions/handlers/feedback.ts',
      roleDescription: 'chart-promoter feedback endpoint',
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        [FEEDBACK_INGRESS_ENV.webhookSecretArn]: this.webhookSecret.secretArn,
        [FEEDBACK_INGRESS_ENV.feedbackQueueUrl]: props.feedbackQueue.queueUrl,
        [FEEDBACK_INGRESS_ENV.maxEventAgeSeconds]: String(props.maxEventAgeSeconds),
      },
      logRetention: props.logRetention,
    });
    this.function = parts.function;
    this.logGroup = parts.logGroup;
    this.role = parts.role;

    // authType NONE on purpose: Flux's notification-controller posts plain HTTPS and cannot sign
    // requests with SigV4, so AWS_IAM would refuse every event. Authentication is the generic-hmac
    // signature (X-Signature: sha256=<hex> over the raw body, key in the webhook secret), verified
    // in constant time before anything else, plus freshness checks; the reserved
    // concurrency bounds what unauthenticated callers can cost.
    // https://fluxcd.io/flux/components/notification/providers/#generic-webhook-with-hmac
    // https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
    this.url = this.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });

    grantSecretRead(this.role, this.webhookSecret);
    grantSendMessage(this.role, props.feedbackQueue);
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
