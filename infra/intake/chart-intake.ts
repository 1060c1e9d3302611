import { Duration } from 'aws-cdk-lib';
import { Archive, EventBus, type EventPattern, Match, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FORWARDED_KEY_SUFFIXES } from '../../functions/events/chart-upload-filter';

export interface ChartIntakeProps {
  /** Key prefix of chart uploads ('' = whole bucket, else ends with '/'). */
  readonly bucketPrefix: string;
  /** Visibility timeout of the intake queue (≥ 6 × the consumer's timeout). */
  readonly queueVisibilityTimeout: Duration;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** How long the EventBridge archive keeps upload events for replay. */
  readonly archiveRetention: Duration;
  /** How long old object versions are kept after being overwritten or deleted. @default 30 days */
  readonly noncurrentVersionExpiration?: Duration;
}

/**
 * The S3 "Object Created" events the pipeline handles under the prefix (functions/events
 * FORWARDED_KEY_SUFFIXES): chart archives, their provenance files (a `.prov` arriving re-runs its
 * chart, so upload order is free), and `Chart.yaml`, so a chart directory uploaded file by file
 * (`aws s3 cp --recursive`) gets one CHART_NOT_PACKAGED outcome and its other files none.
 * EventBridge wildcard matching: `*` matches any characters, `/` included, so `incoming/*.tgz` also
 * covers `incoming/team/a.tgz`; the whole key must match, so `*.tgz` does not match `a.tgz.prov`.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching
 */
export const chartUploadPattern = (bucketName: string, prefix: string): EventPattern => ({
  source: ['aws.s3'],
  detailType: ['Object Created'],
  detail: {
    bucket: { name: [bucketName] },
    object: {
      key: Match.anyOf(...FORWARDED_KEY_SUFFIXES.map((suffix) => Match.wildcard(`${prefix}*${suffix}`))),
    },
  },
});

/**
 * Intake: the upload bucket, the EventBridge rule that turns chart uploads into queue messages,
 * the queue and its dead-letter queue, and an archive of the upload events so they can be replayed.
 */
export class ChartIntake extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly rule: Rule;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: ChartIntakeProps) {
    super(scope, id);
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      // Server access log delivery supports SSE-S3 only, not SSE-KMS.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    this.bucket = new Bucket(this, 'Uploads', {
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'uploads/',
      lifecycleRules: [
        {
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });

    // EventBridge notifications through the template's own property, not `eventBridgeEnabled`: that
    // deploys a custom-resource Lambda (with a managed-policy role) to call PutBucketNotification.
    // Note: a later `bucket.addEventNotification` would hand notifications to that custom resource.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-eventbridgeconfiguration.html
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: time for someone to read the reason and redrive.
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      // SSE-SQS rather than a customer key: EventBridge can send to it without a key policy.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.queueVisibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });

    const pattern = chartUploadPattern(this.bucket.bucketName, props.bucketPrefix);
    this.rule = new Rule(this, 'ChartUploaded', {
      description:
        'Chart archives (and their .prov files, and Chart.yaml files) uploaded to the intake prefix',
      eventPattern: pattern,
      // Events EventBridge cannot deliver (after its retries) land in the same DLQ as failed promotions.
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });
    this.archive = new Archive(this, 'UploadArchive', {
      sourceEventBus: EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      eventPattern: pattern,
      retention: props.archiveRetention,
      description: 'chart-promoter upload events, for replay',
    });
  }
}
