import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '../../functions/feedback/feedback-context';
import { fromFunctionUrlEvent, toFunctionUrlResult } from '../../functions/feedback/function-url-request';
import type { FeedbackResponse } from '../../functions/feedback/handle-feedback';
import { signBody } from '../../functions/feedback/hmac-signature';
import { ensureClusterRepository } from '../../functions/local/cluster-repository';
import { handleSqsBatch } from '../../functions/pipeline/handle-sqs-batch';
import { commitFile, runGit } from '../support/bare-repo';
import { FakeClock, feedbackFixture } from '../support/feedback-harness';
import { BRANCH, type Bucket, PREFIX, startBucket, wirePipeline } from '../support/pipeline/queue-rig';
import { ScenarioTally } from '../support/reliability/reliability-report';
import { buildChart } from '../support/tar-fixtures';

/**
 * Scenario 6: attacks on the feedback endpoint, through the function URL payload mapping and the
 * real handler, against a real cluster repository where `web` 1.0.0 runs in dev and the policy
 * promotes dev → staging as soon as dev reports healthy. A forged "dev is healthy" that got through
 * would therefore commit to staging: after every attack the branch head, the scheduler and the
 * feedback queue must be as they were. Then the genuine event is accepted (queued, and the worker
 * commits), and its replays change nothing, in this worker instance or another one.
 */

const KEY = randomBytes(32);
const POLICY = 'environments:\n  - name: dev\n  - name: staging\n    after: dev\n';
const EVENT_FIXTURE = path.resolve(
  import.meta.dirname,
  '../fixtures/flux-events/helmrelease-upgrade-succeeded.json',
);
const tally = new ScenarioTally('6 webhook attacks');
const encoder = new TextEncoder();

let bucket: Bucket;
let git: (...args: string[]) => Promise<string>;
let feedback: ReturnType<typeof feedbackFixture>;
let runId: string;
/** Every log line and response body, for the key scan at the end. */
let lines: string[] = [];
const responses: string[] = [];

/** The genuine event: helm-controller reporting web 1.0.0 healthy in dev, for the run that put it there. */
const converged = (overrides: Record<string, unknown> = {}, at = new Date()): Record<string, unknown> => {
  const base = JSON.parse(readFileSync(EVENT_FIXTURE, 'utf8')) as Record<string, unknown>;
  return {
    ...base,
    involvedObject: { ...(base.involvedObject as object), namespace: 'dev', name: 'web' },
    message: 'Helm upgrade succeeded for release dev/web.v1 with chart web@1.0.0',
    timestamp: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    metadata: { revision: '1.0.0', 'run-id': runId },
    ...overrides,
  };
};

/** What Lambda's function URL hands the handler. */
const functionUrlEvent = (
  body: Uint8Array,
  headers: Record<string, string>,
  base64 = false,
): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    isBase64Encoded: base64,
    body: base64 ? Buffer.from(body).toString('base64') : new TextDecoder().decode(body),
  }) as unknown as APIGatewayProxyEventV2;

const send = async (event: APIGatewayProxyEventV2) => {
  const result = toFunctionUrlResult(
    (await feedback.deliver(fromFunctionUrlEvent(event))) as FeedbackResponse,
  );
  responses.push(String(result.body));
  return {
    statusCode: result.statusCode ?? 0,
    body: JSON.parse(String(result.body)) as { status: string; reason?: string },
  };
};

const signedEvent = (value: unknown, key: Uint8Array = KEY) => {
  const body = encoder.encode(typeof value === 'string' ? value : JSON.stringify(value));
  return functionUrlEvent(body, { 'x-signature': signBody(key, body) });
};

const state = async () => ({
  head: await git('rev-parse', BRANCH),
  scheduled: feedback.scheduler.pending.length,
  queued: feedback.queued.length,
});

beforeAll(async () => {
  bucket = await startBucket();
  const repo = path.join(bucket.dir, 'feedback.git');
  const host = await ensureClusterRepository(repo, BRANCH);
  git = (...args) => runGit(repo, ['--git-dir', repo, ...args]);
  await commitFile(repo, BRANCH, '.chart-promoter.yaml', POLICY);
  const pipeline = wirePipeline({ client: bucket.s3.client, host });
  const record = await bucket.upload(`${PREFIX}web-1.0.0.tgz`, await buildChart('web', '1.0.0'));
  const { outcomes } = await handleSqsBatch({ Records: [record] }, pipeline.deps, pipeline.settings);
  if (outcomes[0]?.status !== 'promoted')
    throw new Error(`setup: web was not promoted: ${JSON.stringify(outcomes)}`);
  runId = outcomes[0].runId;
  lines = pipeline.lines;
  feedback = feedbackFixture(host, new FakeClock(new Date()), {
    key: KEY,
    deps: { logger: pipeline.deps.logger },
  });
});
afterAll(async () => {
  await bucket?.close();
  await tally.finish();
});

const goodBody = () => encoder.encode(JSON.stringify(converged()));
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const ATTACKS: readonly [string, () => APIGatewayProxyEventV2, number, string][] = [
  ['no signature', () => functionUrlEvent(goodBody(), {}), 401, 'SIGNATURE_MISSING'],
  ['empty signature', () => functionUrlEvent(goodBody(), { 'x-signature': '' }), 401, 'SIGNATURE_MISSING'],
  ['signed with another key', () => signedEvent(converged(), randomBytes(32)), 401, 'SIGNATURE_MISMATCH'],
  ['signed with an empty key', () => signedEvent(converged(), new Uint8Array()), 401, 'SIGNATURE_MISMATCH'],
  [
    'sha1 downgrade',
    () => functionUrlEvent(goodBody(), { 'x-signature': `sha1=${'a'.repeat(40)}` }),
    401,
    'SIGNATURE_ALGORITHM',
  ],
  [
    'truncated signature',
    () => functionUrlEvent(goodBody(), { 'x-signature': signBody(KEY, goodBody()).slice(0, 40) }),
    401,
    'SIGNATURE_MALFORMED',
  ],
  [
    'signature of the bare hex',
    () => functionUrlEvent(goodBody(), { 'x-signature': signBody(KEY, goodBody()).slice(7) }),
    401,
    'SIGNATURE_MALFORMED',
  ],
  [
    'body changed after signing',
    () => {
      const signedBody = goodBody();
      const tampered = encoder.encode(new TextDecoder().decode(signedBody).replace('"dev"', '"staging"'));
      return functionUrlEvent(tampered, { 'x-signature': signBody(KEY, signedBody) });
    },
    401,
    'SIGNATURE_MISMATCH',
  ],
  [
    'JSON re-serialised (signature over other bytes)',
    () =>
      functionUrlEvent(encoder.encode(JSON.stringify(converged(), null, 2)), {
        'x-signature': signBody(KEY, goodBody()),
      }),
    401,
    'SIGNATURE_MISMATCH',
  ],
  [
    'huge body, unsigned',
    () => functionUrlEvent(new Uint8Array(8 * 1024 * 1024).fill(0x20), {}),
    413,
    'BODY_TOO_LARGE',
  ],
  [
    'huge body, signed',
    () => signedEvent(`${JSON.stringify(converged())}${' '.repeat(DEFAULT_MAX_BODY_BYTES)}`),
    413,
    'BODY_TOO_LARGE',
  ],
  [
    'malformed JSON, signed',
    () => signedEvent('{"involvedObject": {"kind": "HelmRelease",'),
    400,
    'BODY_NOT_JSON',
  ],
  [
    'invalid UTF-8, signed',
    () => {
      const body = Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
      return functionUrlEvent(body, { 'x-signature': signBody(KEY, body) }, true);
    },
    400,
    'BODY_NOT_JSON',
  ],
  ['deep nesting, signed', () => signedEvent(nested(30_000)), 400, 'EVENT_INVALID'],
  ['JSON but not a Flux event, signed', () => signedEvent({ hello: 'world' }), 400, 'EVENT_INVALID'],
  [
    'prototype pollution, signed',
    () =>
      signedEvent(
        `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"involvedObject":{}}`,
      ),
    400,
    'EVENT_INVALID',
  ],
  [
    'captured event replayed an hour later',
    () => signedEvent(converged({}, new Date(Date.now() - 3_600_000))),
    422,
    'EVENT_STALE',
  ],
  [
    'event dated in the future',
    () => signedEvent(converged({}, new Date(Date.now() + 3_600_000))),
    422,
    'EVENT_FROM_FUTURE',
  ],
];

describe('reliability 6: webhook attacks', () => {
  for (const [name, request, statusCode, reason] of ATTACKS) {
    it(`${name}: ${statusCode} ${reason}, nothing changed`, async () => {
      // Prepare
      const before = await state();

      // Act
      const response = await send(request());

      // Assess
      tally.add({ cases: 1, refused: response.statusCode === statusCode ? 1 : 0 });
      expect(response).toMatchObject({ statusCode, body: { status: 'rejected', reason } });
      expect(await state()).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('the genuine event is accepted (and promotes to staging); its replays change nothing', async () => {
    // Prepare
    const before = await state();
    const genuine = signedEvent(converged());

    // Act
    const first = await send(genuine);
    const afterFirst = await state();
    const replay = await send(genuine);
    const base64Replay = await send(
      functionUrlEvent(
        encoder.encode(genuine.body!),
        { 'x-signature': genuine.headers['x-signature']! },
        true,
      ),
    );
    // Another worker instance, the same idempotency table (DynamoDB in AWS).
    const host = await ensureClusterRepository(path.join(bucket.dir, 'feedback.git'), BRANCH);
    feedback = feedbackFixture(host, new FakeClock(new Date()), {
      key: KEY,
      table: await feedback.table,
    });
    const otherInstanceReplay = await send(genuine);

    // Assess
    tally.add({ cases: 4, committed: afterFirst.head === before.head ? 0 : 1, ignored: 3 });
    expect(first).toMatchObject({ statusCode: 200, body: { status: 'converged' } });
    expect(afterFirst.head).not.toBe(before.head);
    expect(await git('show', `${BRANCH}:environments/staging/web.yaml`)).toContain('./charts/web/1.0.0');
    expect(replay).toEqual({ statusCode: 200, body: { status: 'duplicate' } });
    expect(base64Replay).toEqual({ statusCode: 200, body: { status: 'duplicate' } });
    expect(otherInstanceReplay).toEqual({ statusCode: 200, body: { status: 'duplicate' } });
    expect((await state()).head).toBe(afterFirst.head);
  });

  it('the HMAC key appears in no log line or response (hex, base64 or raw)', () => {
    // Prepare
    const needles = [
      KEY.toString('hex'),
      KEY.toString('base64'),
      KEY.toString('base64url'),
      KEY.toString('latin1'),
    ];

    // Act
    const found = [...lines, ...responses].filter((text) => needles.some((needle) => text.includes(needle)));

    // Assess
    tally.note(
      `HMAC key searched in ${lines.length} log lines and ${responses.length} responses: ${found.length} found`,
    );
    expect(responses.length).toBeGreaterThan(ATTACKS.length);
    expect(lines.some((line) => line.includes('feedback rejected'))).toBe(true);
    expect(found).toEqual([]);
  });
});
