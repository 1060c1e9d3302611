import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { FeedbackDependencies, FeedbackSettings } from '../../functions/feedback/feedback-context';
import { DEFAULT_MAX_BODY_BYTES } from '../../functions/feedback/feedback-context';
import { signBody } from '../../functions/feedback/hmac-signature';
import { ReplayCache } from '../../functions/feedback/replay-cache';
import { RecordedMetrics } from '../../functions/local/recorded-metrics';
import type { Clock } from '../../functions/ports/clock';
import type { GitHost } from '../../functions/ports/git-host';
import { InMemoryScheduler } from '../../functions/ports/scheduler';

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

export const fixtureEvent = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(fixtures, `${name}.json`), 'utf8')) as Record<string, unknown>;

export interface EventSpec {
  readonly namespace?: string;
  readonly name?: string;
  readonly reason?: string;
  readonly revision?: string;
  readonly runId?: string;
  readonly timestamp: Date;
}

/** A Flux-format HelmRelease event (shape of fixtures/flux-events/helmrelease-upgrade-succeeded.json). */
export const helmReleaseEvent = (spec: EventSpec): Record<string, unknown> => {
  const base = fixtureEvent('helmrelease-upgrade-succeeded');
  const involved = base.involvedObject as Record<string, unknown>;
  return {
    ...base,
    involvedObject: { ...involved, namespace: spec.namespace ?? 'dev', name: spec.name ?? 'web' },
    reason: spec.reason ?? 'UpgradeSucceeded',
    severity: (spec.reason ?? 'UpgradeSucceeded').endsWith('Failed') ? 'error' : 'info',
    timestamp: spec.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    metadata: {
      ...(spec.revision === undefined ? {} : { revision: spec.revision }),
      ...(spec.runId === undefined ? {} : { 'run-id': spec.runId }),
    },
  };
};

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
