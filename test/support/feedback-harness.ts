import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll } from 'vitest';
import { feedbackIdempotencyStore } from '../../functions/adapters/ledger/feedback-idempotency-store';
import { ensureLedgerTable } from '../../functions/adapters/ledger/ledger-table';
import {
  DEFAULT_MAX_BODY_BYTES,
  type FeedbackDependencies,
  type FeedbackIngressDependencies,
  type FeedbackIngressSettings,
  type FeedbackSettings,
} from '../../functions/feedback/feedback-context';
import { type FeedbackRequest, handleFeedback } from '../../functions/feedback/handle-feedback';
import { type FeedbackBatchResult, feedbackWorker } from '../../functions/feedback/handle-feedback-batch';
import { signBody } from '../../functions/feedback/hmac-signature';
import {
  helmReleaseEvent as buildHelmReleaseEvent,
  type HelmReleaseEventSpec,
} from '../../functions/local/flux-release-event';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../functions/local/local-dynamodb';
import { fluxEventRecord } from '../../functions/local/local-flux-event-queue';
import { RecordedMetrics } from '../../functions/local/recorded-metrics';
import type { Clock } from '../../functions/ports/clock';
import type { AcceptedFluxEvent } from '../../functions/ports/flux-event-queue';
import type { GitHost } from '../../functions/ports/git-host';
import { InMemoryScheduler } from '../../functions/ports/scheduler';
import { commitUploads } from '../../functions/promotion/uploads/commit-uploads';
import { InMemoryGitHost } from './in-memory-git-host';
import { makeRequest } from './promotion-fixtures';

export const KEY = new TextEncoder().encode('flux-provider-token');
const fixtures = path.resolve(import.meta.dirname, '../fixtures/flux-events');

/** A clock the test moves by hand; `sleep` advances it (commit backoff) without waiting. */
export class FakeClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** The exact bytes of test/fixtures/flux-events/<name>.json (what Flux signs and posts). */
export const fixtureBytes = (name: string): Uint8Array => readFileSync(path.join(fixtures, `${name}.json`));

export const fixtureEvent = (name: string): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(fixtureBytes(name))) as Record<string, unknown>;

/**
 * A cluster repository where the first environment ran each of `versions` of web in turn (run ids
 * `run-web-<version>`, uploaded at `uploadedAt`), the last one now.
 */
export const repositoryWithWeb = async (
  policy: string,
  versions: readonly string[],
  clock: Clock,
  uploadedAt = '2026-03-01T09:55:00Z',
): Promise<InMemoryGitHost> => {
  const host = new InMemoryGitHost({ '.chart-promoter.yaml': policy });
  for (const version of versions) {
    const { environment: _, ...upload } = makeRequest('web', version);
    await commitUploads(host, 'main', [{ ...upload, runId: `run-web-${version}`, uploadedAt }], {
      clock,
      fallbackEnvironment: 'dev',
    });
  }
  return host;
};

/**
 * A human turns on Helm tests for a release (`spec.test.enable`, optionally `ignoreFailures`), as a
 * commit of its own: chart-promoter keeps the setting byte for byte on later promotions.
 * https://fluxcd.io/flux/components/helm/helmreleases/#test-configuration
 */
export const enableTests = async (
  host: InMemoryGitHost,
  file: string,
  options: { ignoreFailures?: boolean } = {},
): Promise<void> => {
  const text = host.text(file);
  if (text === undefined) throw new Error(`no ${file}`);
  const test = `  test:\n    enable: true\n${options.ignoreFailures ? '    ignoreFailures: true\n' : ''}`;
  await host.commit('main', host.head, {
    message: `enable Helm tests in ${file}`,
    changes: [{ path: file, content: new TextEncoder().encode(`${text}${test}`) }],
  });
};

export type EventSpec = Partial<Omit<HelmReleaseEventSpec, 'timestamp'>> & { readonly timestamp: Date };

/** A HelmRelease event as Flux delivers it (functions/local/flux-release-event.ts); web in dev, UpgradeSucceeded by default. */
export const helmReleaseEvent = (spec: EventSpec): Record<string, unknown> =>
  buildHelmReleaseEvent({
    namespace: 'dev',
    name: 'web',
    reason: 'UpgradeSucceeded',
    helmRevision: 2,
    // One HelmRelease object: the same uid in every event, as in a cluster (a redelivery is byte-identical).
    uid: '5b0b6a4e-4a1f-4f3c-9c39-0a4f1f0e2a11',
    resourceVersion: '48213',
    reportingInstance: 'helm-controller-7d9f8b6c5-x2x7q',
    ...spec,
  });

/** The request Flux's generic-hmac provider would send for `event`. */
export const signed = (event: unknown, key: Uint8Array = KEY) => {
  const body = new TextEncoder().encode(JSON.stringify(event));
  return { headers: { 'Content-Type': 'application/json', 'X-Signature': signBody(key, body) }, body };
};

/**
 * One dynalite per test file (started on first use, closed after the file): where the worker's
 * Powertools idempotency records live, as in DynamoDB. Each fixture gets its own table unless it is
 * given one (two "function instances" sharing the table).
 */
let dynamo: Promise<LocalDynamoDb> | undefined;
let tables = 0;
afterAll(async () => {
  await (await dynamo)?.close();
  dynamo = undefined;
});
export const idempotencyTable = async (): Promise<{ dynamo: LocalDynamoDb; tableName: string }> => {
  dynamo ??= startLocalDynamoDb();
  const db = await dynamo;
  const tableName = `feedback-${process.pid}-${++tables}`;
  await ensureLedgerTable(db.client, tableName);
  return { dynamo: db, tableName };
};

/** A Lambda context with a minute left (the worker's in-progress records expire with it). */
export const lambdaContext = () => {
  const deadline = Date.now() + 60_000;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
};

export interface FeedbackFixtureOptions {
  /** Share another fixture's idempotency table (another function instance). */
  readonly table?: { readonly dynamo: LocalDynamoDb; readonly tableName: string };
  /** The generic-hmac key. @default KEY */
  readonly key?: Uint8Array;
  /** Replaces some of the worker's dependencies (an issue notifier, …). */
  readonly deps?: Partial<FeedbackDependencies>;
}

/**
 * The feedback path in process: the endpoint (handleFeedback) with a queue that keeps what it accepted,
 * and the worker (feedbackWorker) over dynalite. `deliver` posts a request and, when it is accepted,
 * hands the queued message to the worker as SQS would: the answer is the endpoint's refusal, or what
 * the worker made of the event (`{status: 'duplicate'}` when it was handled before).
 */
export const feedbackFixture = (host: GitHost, clock: FakeClock, options: FeedbackFixtureOptions = {}) => {
  const metrics = new RecordedMetrics();
  const scheduler = new InMemoryScheduler();
  let runs = 0;
  const deps: FeedbackDependencies = {
    host,
    clock,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics,
    scheduler,
    newRunId: () => `generated-${++runs}`,
    ...options.deps,
  };
  const settings: FeedbackSettings = { branch: 'main', fallbackEnvironment: 'dev', plan: {} };
  const queued: AcceptedFluxEvent[] = [];
  const ingress: FeedbackIngressDependencies = {
    clock,
    logger: deps.logger,
    metrics,
    hmacKey: async () => options.key ?? KEY,
    queue: { enqueue: async (event) => void queued.push(event) },
  };
  const ingressSettings: FeedbackIngressSettings = {
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    freshness: { maxAgeMs: 15 * 60_000, maxSkewMs: 60_000 },
  };
  const table = options.table === undefined ? idempotencyTable() : Promise.resolve(options.table);
  const worker = table.then(({ dynamo: db, tableName }) =>
    feedbackWorker(deps, settings, {
      persistenceStore: feedbackIdempotencyStore(db.client, tableName),
      rememberSeconds: 3600,
    }),
  );
  /** The worker handles `events` as one SQS batch. */
  const work = async (events: readonly AcceptedFluxEvent[], receiveCount = 1): Promise<FeedbackBatchResult> =>
    (await worker).handleBatch(
      { Records: events.map((event) => fluxEventRecord(event, receiveCount)) },
      { context: lambdaContext(), maxReceives: 5 },
    );
  const deliver = async (request: FeedbackRequest) => {
    const answer = await handleFeedback(request, ingress, ingressSettings);
    if (answer.statusCode !== 202) return answer;
    const result = await work(queued.slice(-1));
    const [handled] = result.handled;
    if (handled === undefined) {
      const [failed] = result.failed;
      return {
        statusCode: 503,
        body: { status: 'error' as const, reason: failed?.code, message: failed?.message },
      };
    }
    return {
      statusCode: 200,
      body: handled.duplicate ? { status: 'duplicate' as const } : handled.outcome,
    };
  };
  return { deps, settings, ingress, ingressSettings, metrics, scheduler, queued, table, work, deliver };
};
