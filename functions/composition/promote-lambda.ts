import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { HelmChartRenderer } from '../adapters/helm-chart-renderer';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { parseLedgerConfig } from '../config/ledger-config';
import { parsePromoteConfig } from '../config/promote-config';
import { powertoolsMetrics } from '../observability/powertools-metrics';
import { tracedObjectStore } from '../observability/traced-ports';
import type { PipelineDependencies, PipelineSettings } from '../pipeline/pipeline-context';
import { systemClock } from '../ports/clock';
import { createIssueNotifier, createKeyringSource } from './integrations-factory';
import { lambdaFoundation, lambdaObservability, memoised } from './lambda-bootstrap';
import { createReleaseLedger } from './ledger-factory';

/**
 * The promote Lambda's composition: the one place that reads process.env and builds the real
 * clients. Config is parsed at cold start, so a bad deployment fails loudly before any message.
 * With CHART_PROMOTER_INTAKE_QUEUE_URL (sqs:SendMessage on that queue), a promotion command that is
 * not due yet goes back on the intake queue with a delay (soak); without it, such a command is a
 * `retry` (SCHEDULER_MISSING). Optional integrations (integrations-config.ts): the provenance keyring
 * from CHART_PROMOTER_KEYRING_S3_URI (s3:GetObject on that object) or _KEYRING_SECRET_ARN, and Jira
 * comments with CHART_PROMOTER_JIRA_BASE_URL + _JIRA_SECRET_ARN (secretsmanager:GetSecretValue).
 */
export const config = parsePromoteConfig(process.env);

export const { logger, metrics, tracer } = lambdaObservability();

/** CHART_PROMOTER_LEDGER_TABLE: the release ledger every commit and Flux report is recorded in. */
export const ledgerConfig = parseLedgerConfig(process.env);

// The helm binary of the kubectl v32 layer (https://github.com/cdklabs/awscdk-asset-kubectl).
const LAYER_HELM = '/opt/helm/helm';

export const settings: PipelineSettings = {
  branch: config.branch,
  bucketPrefix: config.bucketPrefix,
  targetEnvironment: config.targetEnvironment,
  limits: config.limits,
  plan: { sourceRef: config.sourceRef },
};

const buildDependencies = async (): Promise<PipelineDependencies> => {
  const s3 = tracer.captureAWSv3Client(new S3Client({}));
  const { secrets, git, scheduler } = await lambdaFoundation(config, tracer);
  const integrations = {
    // The keyring may sit in another region's bucket: follow S3's 301 rather than fail every batch.
    s3: () => tracer.captureAWSv3Client(new S3Client({ followRegionRedirects: true })),
    secrets,
  };
  const keyring = createKeyringSource(config, integrations);
  const issueNotifier = createIssueNotifier(config, integrations);
  const ledger = createReleaseLedger(ledgerConfig, tracer);
  const helmPath = process.env.HELM_BIN ?? LAYER_HELM;
  const renderer = config.helmRenderCheck
    ? await access(helmPath).then(() => new HelmChartRenderer({ helmPath, tempDir: '/tmp' }))
    : undefined;
  return {
    store: tracedObjectStore(new S3ObjectStore({ client: s3 }), tracer),
    host: git.host,
    ...(renderer ? { renderer } : {}),
    clock: systemClock,
    logger,
    metrics: powertoolsMetrics(metrics),
    newRunId: randomUUID,
    gitHostRequests: git.requests,
    ...(keyring ? { keyring } : {}),
    ...(issueNotifier ? { issueNotifier } : {}),
    ...(scheduler ? { scheduler } : {}),
    ...(ledger ? { ledger } : {}),
  };
};

/** Built on first use and kept for the life of the execution environment; rebuilt after a failure. */
export const promoteDependencies = memoised(buildDependencies);
