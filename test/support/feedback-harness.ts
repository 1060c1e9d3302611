import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { FeedbackDependencies, FeedbackSettings } from '../../functions/feedback/feedback-context';
import { DEFAULT_MAX_BODY_BYTES } from '../../functions/feedback/feedback-context';
import { signBody } from '../../functions/feedback/hmac-signature';
import { ReplayCache } from '../../functions/feedback/replay-cache';
import {
  helmReleaseEvent as buildHelmReleaseEvent,
  type HelmReleaseEventSpec,
} from '../../functions/local/flux-release-event';
import { RecordedMetrics } from '../../functions/local/recorded-metrics';
import type { Clock } from '../../functions/ports/clock';
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

export const feedbackFixture = (host: GitHost, clock: FakeClock) => {
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
    replay: new ReplayCache(),
    hmacKey: async () => KEY,
  };
  const settings: FeedbackSettings = {
    branch: 'main',
    fallbackEnvironment: 'dev',
    plan: {},
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    freshness: { maxAgeMs: 15 * 60_000, maxSkewMs: 60_000 },
  };
  return { deps, settings, metrics, scheduler };
};
