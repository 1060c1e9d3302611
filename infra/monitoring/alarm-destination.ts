import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Where the pipeline's alarms are sent: a strategy built by {@link AlarmDestinations}. */
export interface AlarmDestination {
  /** Returns the topic alarms publish to, creating it under `scope` if the strategy owns one. */
  bind(scope: Construct): ITopic;
}

export interface NewTopicOptions {
  /**
   * An HTTPS endpoint subscribed to the new topic, e.g. an Opsgenie Amazon SNS integration URL
   * (https://support.atlassian.com/opsgenie/docs/integrate-opsgenie-with-amazon-sns/).
   * @default - no subscription: subscribe e-mail or chat later
   */
  readonly httpsEndpoint?: string;
}

/** A new topic, encrypted with its own rotating key that CloudWatch alarms may use. */
class NewAlarmTopic extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, options: NewTopicOptions) {
    super(scope, id);
    const key = new Key(this, 'Key', {
      enableKeyRotation: true,
      description: 'Encrypts the chart-promoter alarm topic',
    });
    // CloudWatch publishes alarm notifications with the topic's key, so it needs to use the key:
    // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    if (options.httpsEndpoint !== undefined) {
      if (!options.httpsEndpoint.startsWith('https://'))
        throw new Error(
          `alarm httpsEndpoint must be an https:// URL (got ${JSON.stringify(options.httpsEndpoint)})`,
        );
      this.topic.addSubscription(new UrlSubscription(options.httpsEndpoint));
    }
  }
}

/** Factories for {@link AlarmDestination}s. */
export const AlarmDestinations = {
  /** Alarms go to an existing topic (its owner manages subscriptions and encryption). */
  topic: (topic: ITopic): AlarmDestination => ({ bind: () => topic }),
  /** Alarms go to a new topic created with the pipeline, optionally with an HTTPS subscriber. */
  newTopic: (options: NewTopicOptions = {}): AlarmDestination => ({
    bind: (scope) => new NewAlarmTopic(scope, 'AlarmTopic', options).topic,
  }),
};
