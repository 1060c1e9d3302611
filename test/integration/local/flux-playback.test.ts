import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FluxPlayer } from '../../../cli/demo/flux-playback';
import { PlainGitHost } from '../../../functions/adapters/git-hosts/git/plain-git-host';
import { type LocalRuntime, startLocalRuntime } from '../../../functions/local/local-runtime';
import type { UploadOutcome } from '../../../functions/pipeline/upload-outcome';
import { runGit } from '../../support/bare-repo';
import { buildChart } from '../../support/tar-fixtures';

/**
 * The demo's Flux player against the local runtime, for a HelmRelease whose Helm tests are enabled:
 * helm-controller runs the tests after the install (fluxcd/helm-controller
 * internal/reconcile/atomic_release.go), so the player reports InstallSucceeded, which promotes
 * nothing, then TestSucceeded, which does (health follows the TestSuccess condition:
 * internal/reconcile/release.go `summarize`).
 */
const POLICY = `environments:
  - name: dev
  - name: staging
    after: dev
`;

describe('Flux playback of a release with Helm tests enabled', () => {
  let workdir: string;
  let runtime: LocalRuntime;
  let upload: UploadOutcome;
  let player: FluxPlayer;
  const git = (...args: string[]) => runGit(workdir, ['--git-dir', runtime.clusterRepo, ...args]);

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'flux-playback-'));
    let promoted: (outcome: UploadOutcome) => void = () => {};
    const uploaded = new Promise<UploadOutcome>((resolve) => {
      promoted = resolve;
    });
    runtime = await startLocalRuntime({
      workdir,
      policy: POLICY,
      queue: { batchingWindowMs: 20 },
      schedulerIntervalMs: 50,
      onOutcomes: (outcomes) => outcomes[0] && promoted(outcomes[0]),
      onPromotions: (records) => player?.observe(records),
    });
    player = new FluxPlayer(runtime, Date.now());
    await runtime.s3.client.send(
      new PutObjectCommand({
        Bucket: runtime.bucket,
        Key: `${runtime.prefix}tested-web-1.0.0.tgz`,
        Body: await buildChart('tested-web', '1.0.0'),
      }),
    );
    upload = await uploaded;
    // A human turns the chart's Helm tests on in dev (https://fluxcd.io/flux/components/helm/helmreleases/#test-configuration).
    const host = new PlainGitHost({ remote: { path: runtime.clusterRepo }, fs });
    const file = 'environments/dev/tested-web.yaml';
    const { head, files } = await host.snapshot('main', { files: [file], trees: [] });
    await host.commit('main', head, {
      message: 'enable Helm tests for tested-web in dev',
      changes: [
        { path: file, content: new TextEncoder().encode(`${files.get(file)}  test:\n    enable: true\n`) },
      ],
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('reports InstallSucceeded (awaiting tests: nothing promoted), then TestSucceeded, which promotes staging', async () => {
    // Prepare
    expect(upload.status).toBe('promoted');
    const change = { chart: 'tested-web', version: '1.0.0', environment: 'dev' };

    // Act
    const result = await player.play([change], [change]);

    // Assess
    expect(
      result.steps.map((s) => [s.environment, s.action, s.detail.replace(/ \(revision.*?\)/, '')]),
    ).toEqual([
      [
        'dev',
        'flux-event',
        expect.stringMatching(/^Flux reports InstallSucceeded .* → 202 ignored \(AWAITING_TESTS\)$/),
      ],
      ['dev', 'flux-event', expect.stringMatching(/^Flux reports TestSucceeded .* → 202 converged, ready/)],
      ['staging', 'committed', expect.stringMatching(/^committed [0-9a-f]{12}$/)],
      // staging's new HelmRelease has no tests: its install is its health.
      ['staging', 'flux-event', expect.stringMatching(/^Flux reports InstallSucceeded .* → 202 converged/)],
    ]);
    expect(result.steps.some((s) => s.failed)).toBe(false);
    expect(result.leadTimes.has('dev/tested-web')).toBe(true);
    expect(await git('log', '-1', '--format=%s', 'main')).toBe('promote tested-web 1.0.0 to staging');
    expect(runtime.metrics.total('ReleaseConverged')).toBe(2);
  });
});
