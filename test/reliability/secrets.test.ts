import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGitCredentials } from '../../functions/adapters/secrets/git-credentials';
import { ROUTES, startGitHubRig } from '../support/github-rig';
import { type Bucket, PREFIX, runThroughQueue, startBucket } from '../support/pipeline/queue-rig';
import { ScenarioTally } from '../support/reliability/reliability-report';
import { buildChart } from '../support/tar-fixtures';

/**
 * Scenario 7: a GitHub token the test knows goes through successful promotions and every failure
 * the host can produce (401, 403, 502, dropped connections), and through malformed secrets. Every
 * log line (ours and Octokit's), outcome message, dead-letter reason, S3 tag, commit message and
 * thrown error (inspected deeply, causes included) is searched for it, and for its base64 forms.
 * The feedback endpoint's HMAC key is scanned for in webhook-attacks.test.ts.
 */

const TOKEN = `ghs_${randomBytes(18).toString('hex')}`;
const NEEDLES = [
  TOKEN,
  Buffer.from(TOKEN).toString('base64'),
  Buffer.from(`x-access-token:${TOKEN}`).toString('base64'),
];
const tally = new ScenarioTally('7 secrets');
let bucket: Bucket;

beforeAll(async () => {
  bucket = await startBucket();
});
afterAll(async () => {
  await bucket.close();
  await tally.finish();
});

const leaks = (haystack: readonly string[]): string[] =>
  haystack
    .filter((text) => NEEDLES.some((needle) => text.includes(needle)))
    .map((text) => text.slice(0, 300));

describe('reliability 7: secrets', () => {
  it('the GitHub token appears in no log line, error, outcome, dead letter, tag or commit', async () => {
    // Prepare: one rig, one chart per failure mode, all through the queue with redelivery.
    const rig = await startGitHubRig({ s3: bucket.s3.client, token: TOKEN });
    const haystack: string[] = [];
    try {
      const modes: [string, () => void][] = [
        ['ok', () => {}],
        ['unauthorised', () => rig.server.failNext({ route: ROUTES.createTree, status: 401, times: 2 })],
        [
          'forbidden',
          () => rig.server.failNext({ route: ROUTES.createCommit, status: 403, kind: 'forbidden', times: 2 }),
        ],
        ['unavailable', () => rig.server.failNext({ route: ROUTES.updateRef, status: 502, times: 8 })],
        [
          'dropped',
          () =>
            rig.proxy.inject({ method: 'POST', path: /graphql/, fault: { kind: 'drop-request' }, times: 8 }),
        ],
      ];
      let cases = 0;
      let committed = 0;
      let deadLettered = 0;
      for (const [mode, inject] of modes) {
        const key = `${PREFIX}secret-${mode}-1.0.0.tgz`;
        const record = await bucket.upload(key, await buildChart(`secret-${mode}`, '1.0.0'));
        inject();

        // Act
        const run = await runThroughQueue(rig.wiring, [record], { maxReceives: 2 });
        rig.proxy.clear();
        rig.server.reset();
        cases += 1;
        committed += run.outcomes.filter((o) => o.status === 'promoted').length;
        deadLettered += run.deadLetters.length;
        haystack.push(
          ...[...run.outcomes, ...run.retries].map((o) => JSON.stringify(o)),
          ...run.deadLetters.map((d) => JSON.stringify(d)),
          JSON.stringify(await bucket.tags(key)),
        );
      }
      // The adapter's own errors, inspected as a debugger or a careless `logger.error(e)` would.
      rig.server.failNext({ route: ROUTES.createTree, status: 403, kind: 'forbidden' });
      const thrown = await rig.wiring.deps.host
        .commit('main', await rig.server.git('rev-parse', 'main'), {
          message: 'x\n',
          changes: [{ path: 'a.txt', content: new Uint8Array([97]) }],
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      rig.wiring.deps.logger.error('a host error logged whole', { error: thrown as Error });
      haystack.push(
        inspect(thrown, { depth: 12, showHidden: true }),
        JSON.stringify(thrown),
        ...rig.wiring.lines,
        ...rig.octokitLog,
        await rig.server.git('log', '--all', '--format=%H%n%B%n%an <%ae>'),
      );

      // Assess
      tally.add({ cases, committed, deadLettered, lost: cases - committed - deadLettered });
      tally.note(
        `${haystack.length} texts (${haystack.reduce((n, t) => n + t.length, 0)} chars) searched, ${leaks(haystack).length} leaks`,
      );
      expect(thrown).toBeInstanceOf(Error);
      expect(committed).toBe(1);
      expect(deadLettered).toBe(modes.length - 1);
      expect(rig.octokitLog.length).toBeGreaterThan(0);
      expect(leaks(haystack)).toEqual([]);
      // The search itself works: the token is really what the client sent.
      expect(leaks([`Authorization: token ${TOKEN}`])).toHaveLength(1);
    } finally {
      await rig.close();
    }
  }, 120_000);

  it('a malformed credentials secret is reported without quoting it', () => {
    // Prepare
    const secrets = [
      `{"token": "${TOKEN}"`,
      `{"tokn": "${TOKEN}"}`,
      `{"token": ["${TOKEN}"]}`,
      `{"appId": "${TOKEN}", "privateKey": "${TOKEN}", "installationId": 1}`,
      `"${TOKEN}"`,
      `${TOKEN}`,
    ];

    // Act
    const errors = secrets.map((text) => {
      try {
        parseGitCredentials('arn:aws:secretsmanager:us-east-1:000000000000:secret:git', text);
        return 'accepted';
      } catch (error) {
        return inspect(error, { depth: 12, showHidden: true });
      }
    });

    // Assess
    tally.add({ cases: secrets.length, refused: errors.filter((e) => e !== 'accepted').length });
    expect(errors.filter((e) => e === 'accepted')).toEqual([]);
    expect(leaks(errors)).toEqual([]);
  });
});
