import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HELM_CONTROLLER_REASONS,
  helmControllerReason,
} from '../../../functions/feedback/helm-controller-reasons';
import { signBody } from '../../../functions/feedback/hmac-signature';
import {
  type HelmReleaseEventSpec,
  helmReleaseEvent,
  marshalLikeGo,
} from '../../../functions/local/flux-release-event';
import {
  enableTests,
  FakeClock,
  feedbackFixture,
  fixtureBytes,
  fixtureEvent,
  KEY,
  repositoryWithWeb,
} from '../../support/feedback-harness';

/**
 * The event bodies in test/fixtures/flux-events (see its README for the Flux source each follows):
 * each one is what notification-controller's generic-hmac forwarder posts, byte for byte; the local
 * builder (the demo's Flux player) writes the same bytes; and the feedback handler, given the bytes
 * signed as Flux signs them, reads each as helm-controller means it.
 */
const DIR = path.resolve(import.meta.dirname, '../../fixtures/flux-events');
const BYTE_EXACT = readdirSync(DIR)
  .filter((f) => f.startsWith('helmrelease-') && f.endsWith('.json') && !f.endsWith('-prefixed.json'))
  .map((f) => f.replace(/\.json$/, ''));

/** fluxcd/pkg apis/event/v1beta1/event.go `Event`, in field order (json tags). */
const EVENT_KEYS = [
  'involvedObject',
  'severity',
  'timestamp',
  'message',
  'reason',
  'metadata',
  'reportingController',
  'reportingInstance',
];
/** k8s.io/api core/v1 `ObjectReference`, in field order, as reference.GetReference fills it. */
const OBJECT_REFERENCE_KEYS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion'];
/**
 * What helm-controller's metadata becomes after notification-controller: `revision`, `app-version`,
 * `oci-digest` (internal/reconcile/release.go), `run-id` (our annotation); the token is dropped.
 */
const METADATA_KEYS = new Set(['app-version', 'oci-digest', 'revision', 'run-id']);

const WEB = {
  namespace: 'dev',
  name: 'web',
  uid: '5b0b6a4e-4a1f-4f3c-9c39-0a4f1f0e2a11',
  reportingInstance: 'helm-controller-7d9f8b6c5-x2x7q',
} as const;
const at = (time: string) => new Date(`2026-03-01T${time}Z`);
const HELM_LOGS =
  '\n\nLast Helm logs:\n\nwaiting for 1 resources with timeout of 5m0s\nDeployment is not ready: dev/web. 0 out of 1 expected pods are ready';
const v100 = { revision: '1.0.0', appVersion: '1.0.0', runId: 'run-web-1.0.0' } as const;
const v110 = { revision: '1.1.0', appVersion: '1.1.0', runId: 'run-web-1.1.0' } as const;

/** What each fixture records, as the builder takes it. */
const SPECS: Record<string, HelmReleaseEventSpec> = {
  'helmrelease-install-succeeded': {
    ...WEB,
    ...v100,
    resourceVersion: '48120',
    reason: 'InstallSucceeded',
    timestamp: at('09:50:00'),
  },
  'helmrelease-install-failed': {
    ...WEB,
    ...v100,
    resourceVersion: '48120',
    reason: 'InstallFailed',
    timestamp: at('09:55:00'),
    error: `context deadline exceeded${HELM_LOGS}`,
  },
  'helmrelease-uninstall-failed': {
    ...WEB,
    ...v100,
    resourceVersion: '48131',
    reason: 'UninstallFailed',
    timestamp: at('09:55:40'),
    error: 'uninstallation completed with 1 error(s): context deadline exceeded',
  },
  'helmrelease-upgrade-succeeded': {
    ...WEB,
    ...v110,
    resourceVersion: '48213',
    reason: 'UpgradeSucceeded',
    helmRevision: 2,
    timestamp: at('10:00:00'),
  },
  'helmrelease-upgrade-failed': {
    ...WEB,
    ...v110,
    resourceVersion: '48213',
    reason: 'UpgradeFailed',
    timestamp: at('10:00:00'),
    error: `context deadline exceeded${HELM_LOGS}`,
  },
  'helmrelease-test-succeeded': {
    ...WEB,
    ...v110,
    resourceVersion: '48219',
    reason: 'TestSucceeded',
    helmRevision: 2,
    testHooks: 1,
    timestamp: at('10:00:20'),
  },
  'helmrelease-test-failed': {
    ...WEB,
    ...v110,
    resourceVersion: '48219',
    reason: 'TestFailed',
    helmRevision: 2,
    timestamp: at('10:00:20'),
    error: 'pod web-test-connection failed',
  },
  // A rollback's revision is the version rolled back to; the run id is still the failed run's.
  'helmrelease-rollback-succeeded': {
    ...WEB,
    ...v100,
    runId: 'run-web-1.1.0',
    resourceVersion: '48230',
    reason: 'RollbackSucceeded',
    timestamp: at('10:00:40'),
  },
  'helmrelease-rollback-failed': {
    ...WEB,
    ...v100,
    runId: 'run-web-1.1.0',
    resourceVersion: '48230',
    reason: 'RollbackFailed',
    timestamp: at('10:00:40'),
    error: 'timed out waiting for the condition',
  },
  'helmrelease-artifact-failed': {
    ...WEB,
    runId: 'run-web-1.1.0',
    resourceVersion: '48240',
    reason: 'ArtifactFailed',
    timestamp: at('10:00:05'),
    error:
      "failed to download chart from 'http://source-controller.flux-system.svc.cluster.local./helmchart/flux-system/dev-web/web-1.1.0.tgz' (status: 500 Internal Server Error)",
  },
};

describe('Flux event fixtures: the bytes notification-controller posts', () => {
  it('every byte-exact fixture has a builder spec', () => {
    expect(BYTE_EXACT.sort()).toEqual(Object.keys(SPECS).sort());
  });

  it.each(BYTE_EXACT)(
    '%s: Go struct order, sorted metadata, whole-second UTC, the reason’s severity',
    (name) => {
      // Prepare
      const bytes = fixtureBytes(name);
      const event = fixtureEvent(name) as {
        involvedObject: Record<string, unknown>;
        metadata?: Record<string, string>;
        reason: string;
        severity: string;
        timestamp: string;
        reportingController: string;
      };
      // Assess: encoding/json output (compact, struct order, <>& escaped) is what is signed.
      expect(Buffer.from(marshalLikeGo(event)).equals(Buffer.from(bytes))).toBe(true);
      expect(Object.keys(event)).toEqual(EVENT_KEYS.filter((key) => key in event));
      expect(Object.keys(event.involvedObject)).toEqual(OBJECT_REFERENCE_KEYS);
      const metadataKeys = Object.keys(event.metadata ?? {});
      expect(metadataKeys).toEqual([...metadataKeys].sort());
      expect(
        metadataKeys.every((key) => METADATA_KEYS.has(key)),
        metadataKeys.join(),
      ).toBe(true);
      expect(event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(event.reportingController).toBe('helm-controller');
      expect(event.severity).toBe(helmControllerReason(event.reason)?.severity);
    },
  );

  it.each(BYTE_EXACT)('%s: the local Flux player writes exactly these bytes', (name) => {
    // Act
    const built = marshalLikeGo(helmReleaseEvent(SPECS[name]!));
    // Assess
    expect(new TextDecoder().decode(built)).toBe(new TextDecoder().decode(fixtureBytes(name)));
  });

  it('names every failure reason helm-controller records with severity error', () => {
    // Assess: the failures the feedback loop acts on, each emitted as a Warning (→ error).
    const failures = Object.entries(HELM_CONTROLLER_REASONS)
      .filter(([, reason]) => reason.meaning === 'failed' || reason.meaning === 'tests-failed')
      .map(([name, reason]) => [name, reason.severity]);
    expect(failures).toEqual([
      ['TestFailed', 'error'],
      ['InstallFailed', 'error'],
      ['UpgradeFailed', 'error'],
      ['RollbackFailed', 'error'],
      ['UninstallFailed', 'error'],
      ['ArtifactFailed', 'error'],
    ]);
    expect(helmControllerReason('RemediationFailed')).toBeUndefined();
    expect(helmControllerReason('RetriesExceeded')).toBeUndefined();
  });
});

const POLICY = `environments:
  - name: dev
  - name: staging
    after: dev
`;

/**
 * dev ran `versions` of web (run-web-<version>); with `tests`, dev's HelmRelease enables Helm tests.
 * The clock is 30 s after the fixture's timestamp.
 */
const handled = async (name: string, versions: readonly string[], tests = false) => {
  const timestamp = new Date(String(fixtureEvent(name).timestamp));
  const clock = new FakeClock(new Date(timestamp.getTime() + 30_000));
  // Uploaded before the first event of the fixtures' story (09:50).
  const host = await repositoryWithWeb(POLICY, versions, clock, '2026-03-01T09:45:00Z');
  if (tests) await enableTests(host, 'environments/dev/web.yaml');
  const { deliver, metrics } = feedbackFixture(host, clock);
  const body = fixtureBytes(name);
  const head = host.head;
  const response = await deliver({
    headers: { 'content-type': 'application/json', 'x-signature': signBody(KEY, body) },
    body,
  });
  return { response, committed: host.head !== head, failed: metrics.total('ReleaseFailed') };
};

const ONE = ['1.0.0'];
const TWO = ['1.0.0', '1.1.0'];

describe('Flux event fixtures: what the feedback handler makes of each, signed as Flux signs it', () => {
  it.each([
    ['helmrelease-install-succeeded', ONE, false, { status: 'converged' }, true],
    ['helmrelease-install-failed', ONE, false, { status: 'failed' }, false],
    ['helmrelease-uninstall-failed', ONE, false, { status: 'failed' }, false],
    ['helmrelease-upgrade-succeeded', TWO, false, { status: 'converged' }, true],
    // helm-controller runs the tests after the upgrade (internal/reconcile/atomic_release.go): too early.
    ['helmrelease-upgrade-succeeded', TWO, true, { status: 'ignored', reason: 'AWAITING_TESTS' }, false],
    ['helmrelease-upgrade-failed', TWO, false, { status: 'failed' }, false],
    ['helmrelease-test-succeeded', TWO, true, { status: 'converged' }, true],
    ['helmrelease-test-succeeded', TWO, false, { status: 'ignored', reason: 'TESTS_NOT_GATING' }, false],
    ['helmrelease-test-failed', TWO, true, { status: 'failed' }, false],
    [
      'helmrelease-rollback-succeeded',
      TWO,
      false,
      { status: 'ignored', reason: 'REASON_NOT_TRACKED' },
      false,
    ],
    ['helmrelease-rollback-failed', TWO, false, { status: 'failed' }, false],
    ['helmrelease-artifact-failed', TWO, false, { status: 'failed' }, false],
    ['helmrelease-upgrade-failed-prefixed', TWO, false, { status: 'failed' }, false],
    ['kustomization-reconciled', TWO, false, { status: 'ignored', reason: 'NOT_A_HELMRELEASE' }, false],
  ] as const)('%s (dev ran %j, tests %s) → %j', async (name, versions, tests, body, commits) => {
    // Act
    const { response, committed, failed } = await handled(name, versions, tests);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject(body);
    expect(committed).toBe(commits);
    expect(failed).toBe(body.status === 'failed' ? 1 : 0);
  });
});
