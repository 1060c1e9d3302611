import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromFunctionUrlEvent } from '../../../functions/feedback/function-url-request';
import { handleFeedback } from '../../../functions/feedback/handle-feedback';
import { signBody } from '../../../functions/feedback/hmac-signature';
import {
  FakeClock,
  feedbackFixture,
  fixtureEvent,
  helmReleaseEvent,
  KEY,
  repositoryWithWeb,
  signed,
} from '../../support/feedback-harness';

const POLICY = `environments:
  - name: dev
  - name: staging
    after: dev
    autoRollback: true
`;
const NOW = new Date('2026-03-01T10:00:30Z');

/** dev runs web 1.1.0 (run-web-1.1.0), after 1.0.0; staging runs nothing yet. */
const setup = async () => {
  const clock = new FakeClock(NOW);
  const host = await repositoryWithWeb(POLICY, ['1.0.0', '1.1.0'], clock);
  return { host, clock, ...feedbackFixture(host, clock) };
};

const converged = (overrides: Partial<Parameters<typeof helmReleaseEvent>[0]> = {}) =>
  helmReleaseEvent({
    revision: '1.1.0',
    runId: 'run-web-1.1.0',
    timestamp: new Date('2026-03-01T10:00:00Z'),
    ...overrides,
  });

describe('handleFeedback: authenticity', () => {
  const body = () => new TextEncoder().encode(JSON.stringify(converged()));
  const good = () => signBody(KEY, body());
  it.each([
    ['missing', undefined, 'SIGNATURE_MISSING'],
    ['wrong key', () => signBody(new TextEncoder().encode('other'), body()), 'SIGNATURE_MISMATCH'],
    ['truncated', () => good().slice(0, -2), 'SIGNATURE_MALFORMED'],
    ['sha1', () => `sha1=${good().slice(7, 47)}`, 'SIGNATURE_ALGORITHM'],
    ['sha512', () => `sha512=${good().slice(7)}${good().slice(7)}`, 'SIGNATURE_ALGORITHM'],
    ['not hex', () => `sha256=${'z'.repeat(64)}`, 'SIGNATURE_MALFORMED'],
  ])('rejects a %s signature with 401 and changes nothing', async (_, header, reason) => {
    // Prepare
    const { ingress, ingressSettings, queued } = await setup();
    const value = typeof header === 'function' ? header() : header;
    // Act
    const response = await handleFeedback(
      { headers: value === undefined ? {} : { 'x-signature': value }, body: body() },
      ingress,
      ingressSettings,
    );
    // Assess
    expect(response).toMatchObject({ statusCode: 401, body: { status: 'rejected', reason } });
    expect(queued).toEqual([]);
  });

  it('rejects a body modified after signing', async () => {
    // Prepare
    const { ingress, ingressSettings, queued } = await setup();
    const request = signed(converged());
    const tampered = new TextEncoder().encode(
      new TextDecoder().decode(request.body).replace('1.1.0', '1.0.0'),
    );
    // Act
    const response = await handleFeedback({ ...request, body: tampered }, ingress, ingressSettings);
    // Assess
    expect(response.statusCode).toBe(401);
    expect(queued).toEqual([]);
  });

  it('verifies a base64 function-URL body over the decoded bytes, and promotes', async () => {
    // Prepare
    const { host, deliver } = await setup();
    const head = host.head;
    const request = signed(converged());
    const event = {
      headers: { 'x-signature': request.headers['X-Signature'] },
      body: Buffer.from(request.body).toString('base64'),
      isBase64Encoded: true,
    } as unknown as Parameters<typeof fromFunctionUrlEvent>[0];
    // Act
    const response = await deliver(fromFunctionUrlEvent(event));
    // Assess
    expect(response).toMatchObject({
      statusCode: 200,
      body: { status: 'converged', environment: 'dev', version: '1.1.0' },
    });
    expect(host.head).not.toBe(head);
    expect(host.text('environments/staging/web.yaml')).toContain('chart: ./charts/web/1.1.0');
  });

  it('answers 413 for an oversized body and 400 for malformed JSON or a non-event, before any git read', async () => {
    // Prepare
    const { host, ingress, ingressSettings, queued } = await setup();
    const snapshots = host.snapshots;
    const big = new Uint8Array(ingressSettings.maxBodyBytes + 1).fill(0x20);
    const notJson = new TextEncoder().encode('{"involvedObject":');
    const notEvent = new TextEncoder().encode('{"hello":"world"}');
    // Act
    const responses = await Promise.all(
      [big, notJson, notEvent].map((body) =>
        handleFeedback({ headers: { 'X-Signature': signBody(KEY, body) }, body }, ingress, ingressSettings),
      ),
    );
    // Assess
    expect(responses.map((r) => [r.statusCode, (r.body as { reason: string }).reason])).toEqual([
      [413, 'BODY_TOO_LARGE'],
      [400, 'BODY_NOT_JSON'],
      [400, 'EVENT_INVALID'],
    ]);
    expect(host.snapshots).toBe(snapshots);
    expect(queued).toEqual([]);
  });
});

describe('handleFeedback: freshness and replays', () => {
  it.each([
    ['stale', new Date('2026-03-01T09:40:00Z'), 'EVENT_STALE'],
    ['from the future', new Date('2026-03-01T10:02:00Z'), 'EVENT_FROM_FUTURE'],
  ])('rejects a %s event with 422 and changes nothing', async (_, timestamp, reason) => {
    // Prepare
    const { ingress, ingressSettings, queued } = await setup();
    // Act
    const response = await handleFeedback(signed(converged({ timestamp })), ingress, ingressSettings);
    // Assess
    expect(response).toMatchObject({ statusCode: 422, body: { reason } });
    expect(queued).toEqual([]);
  });

  it('answers 202 only once the event is queued: the body byte for byte, its SHA-256 as id, its HelmRelease as group', async () => {
    // Prepare
    const { host, ingress, ingressSettings, queued } = await setup();
    const head = host.head;
    const request = signed(converged());
    // Act
    const response = await handleFeedback(request, ingress, ingressSettings);
    // Assess: nothing acted on yet; the queue holds exactly what Flux signed.
    const id = createHash('sha256').update(request.body).digest('hex');
    expect(response).toEqual({ statusCode: 202, body: { status: 'accepted', id } });
    expect(queued).toEqual([
      { body: new TextDecoder().decode(request.body), digest: id, group: 'HelmRelease/dev/web' },
    ]);
    expect(host.head).toBe(head);
  });

  it.each([
    ['the queue refuses the message', 'QUEUE_UNAVAILABLE', 'queue'],
    ['the HMAC key cannot be read', 'KEY_UNAVAILABLE', 'key'],
  ])('answers 503 (Flux retries it) when %s, and nothing is queued', async (_, reason, broken) => {
    // Prepare
    const { ingress, ingressSettings, queued } = await setup();
    const down = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const deps =
      broken === 'queue' ? { ...ingress, queue: { enqueue: down } } : { ...ingress, hmacKey: down };
    // Act
    const response = await handleFeedback(signed(converged()), deps, ingressSettings);
    // Assess
    expect(response).toMatchObject({ statusCode: 503, body: { status: 'error', reason } });
    expect(queued).toEqual([]);
  });

  it('acts on a replayed body once: `duplicate` in the same and in another worker instance', async () => {
    // Prepare
    const { host, deliver, clock, table } = await setup();
    const other = feedbackFixture(host, clock, { table: await table });
    const request = signed(converged());
    // Act
    const first = await deliver(request);
    const head = host.head;
    const replay = await deliver(request);
    const otherInstance = await other.deliver(request);
    // Assess
    expect(first.body).toMatchObject({
      status: 'converged',
      next: [{ environment: 'staging', action: 'promoted', outcome: { status: 'committed' } }],
    });
    expect(replay).toEqual({ statusCode: 200, body: { status: 'duplicate' } });
    expect(otherInstance).toEqual({ statusCode: 200, body: { status: 'duplicate' } });
    expect(host.head).toBe(head);
    expect(host.commits.map((c) => c.message.split('\n')[0])).toEqual([
      'promote web 1.0.0 to dev',
      'promote web 1.1.0 to dev',
      'promote web 1.1.0 to staging',
    ]);
  });
});

describe('handleFeedback: what is ignored', () => {
  it.each([
    [
      'another kind',
      () => ({ ...fixtureEvent('kustomization-reconciled'), timestamp: '2026-03-01T10:00:00Z' }),
      'NOT_A_HELMRELEASE',
    ],
    ['an old revision', () => converged({ revision: '1.0.0' }), 'OLD_REVISION'],
    ['an unknown run', () => converged({ runId: 'run-from-long-ago' }), 'UNKNOWN_RUN'],
    ['an unknown release', () => converged({ name: 'api' }), 'UNKNOWN_RELEASE'],
    // helm-controller has no such reason (its reasons: api/v2/condition_types.go).
    [
      'a reason helm-controller never emits',
      () => ({ ...converged(), reason: 'RemediationFailed' }),
      'REASON_NOT_TRACKED',
    ],
  ])('ignores %s: 200, nothing committed', async (_, event, reason) => {
    // Prepare
    const { host, deliver } = await setup();
    const head = host.head;
    // Act
    const response = await deliver(signed(event()));
    // Assess
    expect(response).toMatchObject({ statusCode: 200, body: { status: 'ignored', reason } });
    expect(host.head).toBe(head);
  });

  it('accepts prefixed metadata keys (helm.toolkit.fluxcd.io/revision, event.toolkit.fluxcd.io/run-id)', async () => {
    // Prepare
    const { host, deliver, metrics } = await setup();
    const before = host.text('environments/dev/web.yaml')!;
    const event = {
      ...fixtureEvent('helmrelease-upgrade-failed-prefixed'),
      timestamp: '2026-03-01T10:00:00Z',
    };
    // Act
    const response = await deliver(signed(event));
    // Assess: dev has no autoRollback: metric + log only.
    expect(response).toMatchObject({
      statusCode: 200,
      body: { status: 'failed', environment: 'dev', version: '1.1.0' },
    });
    expect(response.body).not.toHaveProperty('rollback');
    expect(metrics.total('ReleaseFailed')).toBe(1);
    expect(host.text('environments/dev/web.yaml')).toBe(before);
  });
});
