import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { packageChart } from '../../functions/adapters/helm-packager';
import { uploadFile } from '../../functions/adapters/s3-uploader';
import { configKey } from '../../functions/events';
import { summariseCommit } from '../../functions/local/commit-summary';
import { LOCAL_SOAK } from '../../functions/local/local-runtime';
import type { UploadOutcome } from '../../functions/pipeline/upload-outcome';
import { staticKeyring } from '../../functions/ports/keyring-source';
import { signArchive } from '../../functions/provenance/sign-archive';
import { generateSigningKey, type SigningKey } from '../../functions/provenance/signing-key';
import { provenanceKey } from '../../functions/provenance/upload-provenance';
import { type CliDependencies, CliError, type Command, EXIT, parseCommandArgs } from '../command';
import { demoJson, demoReport } from '../demo/demo-report';
import { type Change, FluxPlayer } from '../demo/flux-playback';
import { columns } from '../format';
import { isLocalHostKind, LOCAL_HOST_KINDS, outcomesFor, startLocalPipeline } from '../local-pipeline';

const HELP = `Usage: chart-promoter demo [--workdir DIR] [--json] [--no-render]

Run the whole pipeline on this machine, with no AWS account and no Docker: start a local S3
endpoint, a local cluster repository (a bare git repository) and a local feedback endpoint;
package and upload the sample charts; let the promote pipeline (the same code as the Lambda
function) validate them, render them with helm and commit them with a Flux HelmRelease for "dev".

Then the demo plays Flux: for each release it changed, it posts the signed event Flux's
helm-controller would send once the upgrade succeeded (generic-hmac, as a Flux Provider signs it).
The feedback handler records the lead time (upload → ready) and promotes along the cluster
repository's .chart-promoter.yaml (a new one is seeded with dev → staging → prod): staging after
a ${LOCAL_SOAK} soak, then prod as a pull request (locally a branch, promote/prod/<chart>,
since plain git has no pull requests). Last, a values change goes the same way: the demo uploads
config/staging/hello-web.values.yaml (replicaCount: 2), the pipeline checks it against the chart
version staging runs (schema, helm template) and commits it to staging's HelmRelease, and "Flux"
reports it converged. It prints each step, the lead times and where each
environment stands, and the release ledger every step was recorded in (dynalite, kept in
DIR/ledger: \`chart-promoter status --workdir DIR\` prints it again later).

Options:
${columns([
  [
    '--workdir DIR',
    'keep the state (S3 data, cluster repository, run log) in DIR; re-running on the same DIR re-uploads and shows the runs as unchanged (default: a new temporary directory)',
  ],
  [
    '--json',
    'print one JSON document: {clusterRepo, runs:[{chart, version, environment, status, commit}], environments:[{chart, environment, mode, state, version, leadTimeMs, branch?}], steps:[...], ledger:[{chart, environment, version, state, ...}]}',
  ],
  ['--no-render', 'skip the helm lint/template check'],
  [
    '--host KIND',
    `where the cluster repository lives: ${LOCAL_HOST_KINDS.join(', ')} (default git: a bare repository in the work dir). bitbucket, gitlab and github run against a local stand-in of that host's API (a temporary repository, gone when the demo ends), so prod gets a real pull (merge) request record, printed with its URL`,
  ],
  ['-h, --help', 'show this help'],
])}

Examples:
  npm run demo
  chart-promoter demo --workdir ./demo-state && git --git-dir ./demo-state/cluster.git log --stat --all
  chart-promoter runs --workdir ./demo-state      # the uploads and every environment move

Exit codes:
${columns([
  ['0', 'every sample chart was promoted along the policy (or was already there, unchanged)'],
  ['1', 'a run or a promotion was refused or failed'],
  ['2', 'usage or environment error'],
])}
`;

const log = (io: { stderr: { write(s: string): unknown } }, json: boolean, line: string): void => {
  io.stderr.write(json ? '' : `${line}\n`);
};

/** The sample chart directories (each holding a Chart.yaml), sorted. */
const sampleCharts = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true });
  const charts: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const chartYaml = join(dir, entry.name, 'Chart.yaml');
    if (
      await stat(chartYaml).then(
        () => true,
        () => false,
      )
    )
      charts.push(join(dir, entry.name));
  }
  return charts;
};

export const demoCommand = (deps: CliDependencies): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values } = parseCommandArgs(
      args,
      {
        workdir: { type: 'string' },
        json: { type: 'boolean' },
        'no-render': { type: 'boolean' },
        host: { type: 'string' },
      },
      { min: 0, max: 0, names: '' },
    );
    const json = values.json === true;
    const host = values.host ?? 'git';
    if (!isLocalHostKind(host))
      throw new CliError('USAGE', `--host must be one of ${LOCAL_HOST_KINDS.join(', ')}, got ${host}`);
    const started = Date.now();
    const workdir = values.workdir
      ? resolve(values.workdir)
      : await mkdtemp(join(tmpdir(), 'chart-promoter-demo-'));
    const packages = join(workdir, 'packages');
    await mkdir(packages, { recursive: true });

    const seen = new Map<string, UploadOutcome>();
    const listeners: (() => void)[] = [];
    let player: FluxPlayer | undefined;
    log(io, json, `chart-promoter demo: work dir ${workdir}`);
    // A throwaway signing key, made on the fly: the demo's policy requires provenance, so every
    // sample chart is signed and verified exactly as a team's signed charts would be.
    const signingKey = await generateSigningKey('chart-promoter demo');
    await writeFile(join(workdir, 'demo-signing-key.asc'), signingKey.publicKey);
    let uploading = false;
    const runtime = await startLocalPipeline(deps, {
      workdir,
      render: !values['no-render'],
      host,
      provenance: { keyring: staticKeyring(signingKey.publicKey) },
      onOutcomes: (outcomes) => {
        if (!uploading) return;
        for (const outcome of outcomes) seen.set(outcome.key, outcome);
        for (const listener of listeners) listener();
      },
      onPromotions: (records) => player?.observe(records),
    });
    player = new FluxPlayer(runtime, started);
    try {
      log(io, json, `  local S3 endpoint   ${runtime.s3.endpoint} (bucket ${runtime.bucket})`);
      log(io, json, `  cluster repository  ${runtime.clusterRepo} (branch ${runtime.branch})`);
      if (runtime.hostDescription) log(io, json, `  Git host            ${runtime.hostDescription}`);
      log(
        io,
        json,
        `  feedback endpoint   ${runtime.feedbackUrl} (generic-hmac, key in ${workdir}/webhook-token)`,
      );
      log(io, json, `  promotion board     ${runtime.boardUrl} (while the demo runs)`);
      const keys = await uploadSamples(
        deps,
        runtime,
        packages,
        signingKey,
        (line) => log(io, json, line),
        () => {
          uploading = true;
        },
      );
      log(io, json, '  promoting…');
      const runs = await outcomesFor(keys, seen, (listener) => listeners.push(listener), 120_000);
      const commits = [
        ...new Set(runs.map((run) => run.commit).filter((sha): sha is string => sha !== undefined)),
      ];
      const summaries = await Promise.all(commits.map((sha) => summariseCommit(runtime.clusterRepo, sha)));
      log(io, json, '  playing Flux (signed events; each next environment after its soak)…');
      const charted = await player.play(changed(runs), charts(runs));
      // A values change through the same pipeline (staging is direct): upload, checks, commit, Flux.
      const valuesRun = await uploadValuesChange(runtime, workdir, seen, (listener) =>
        listeners.push(listener),
      );
      log(
        io,
        json,
        `  values change       ${valuesRun.key}: ${valuesRun.status}${valuesRun.code ? ` ${valuesRun.code}` : ''}`,
      );
      const valuesPlayback =
        valuesRun.status === 'promoted'
          ? await player.play(
              [
                {
                  chart: VALUES_DEMO.chart,
                  version: valuesRun.version ?? '',
                  environment: VALUES_DEMO.environment,
                },
              ],
              charts(runs),
            )
          : undefined;
      // Lead times are the charts' (upload → ready); the values change's steps follow theirs.
      const playback = valuesPlayback ? { ...valuesPlayback, leadTimes: charted.leadTimes } : charted;
      if (valuesRun.commit) summaries.push(await summariseCommit(runtime.clusterRepo, valuesRun.commit));
      const ok =
        [...runs, valuesRun].every((run) => run.status === 'promoted' || run.status === 'unchanged') &&
        !playback.steps.some((step) => step.failed);
      const result = {
        clusterRepo: runtime.clusterRepo,
        workdir,
        feedbackUrl: runtime.feedbackUrl,
        runs,
        values: valuesRun,
        summaries,
        playback,
        ledger: await runtime.ledger.list(),
        elapsedMs: Date.now() - started,
        ...(runtime.hostDescription === undefined ? {} : { hostDescription: runtime.hostDescription }),
      };
      io.stdout.write(json ? `${JSON.stringify(demoJson(result))}\n` : demoReport(result));
      return ok ? EXIT.ok : EXIT.failed;
    } finally {
      await runtime.close();
    }
  },
});

/** The demo's values change: staging (direct) gets two replicas of hello-web. */
const VALUES_DEMO = {
  chart: 'hello-web',
  environment: 'staging',
  text: '# Two replicas in staging, set by `chart-promoter demo` as a values change.\nreplicaCount: 2\n',
} as const;

const uploadValuesChange = async (
  runtime: Awaited<ReturnType<typeof startLocalPipeline>>,
  workdir: string,
  seen: Map<string, UploadOutcome>,
  subscribe: (listener: () => void) => void,
): Promise<UploadOutcome> => {
  const file = join(workdir, 'packages', `${VALUES_DEMO.environment}-${VALUES_DEMO.chart}.values.yaml`);
  await writeFile(file, VALUES_DEMO.text);
  const key = configKey(runtime.configPrefix, VALUES_DEMO.environment, VALUES_DEMO.chart);
  seen.delete(key);
  await uploadFile(runtime.s3.client, file, { bucket: runtime.bucket, key });
  const [outcome] = await outcomesFor([key], seen, subscribe, 120_000);
  return outcome!;
};

/**
 * Packages every sample chart, signs each with the throwaway key (a `.prov` as `helm package --sign`
 * writes it) and uploads the `.prov` files, then — once the pipeline has looked at those — the charts
 * together, so they land in one batch (one commit) even on a loaded machine. Returns the chart keys.
 */
const uploadSamples = async (
  deps: CliDependencies,
  runtime: Awaited<ReturnType<typeof startLocalPipeline>>,
  packages: string,
  signingKey: SigningKey,
  progress: (line: string) => void,
  chartsUploading: () => void,
): Promise<string[]> => {
  const helm = await deps.helmPath();
  const archives: string[] = [];
  const scratch = await mkdtemp(join(packages, '.packaging-'));
  try {
    for (const chartDir of await sampleCharts(deps.sampleChartsDir)) {
      archives.push(await keepFirstPackage(await packageChart(helm, chartDir, scratch), packages));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const keys = archives.map((archive) => `${runtime.prefix}${basename(archive)}`);
  await Promise.all(
    archives.map(async (archive, i) => {
      const { prov } = await signArchive(await readFile(archive), signingKey.privateKey);
      await writeFile(`${archive}.prov`, prov);
      await uploadFile(runtime.s3.client, `${archive}.prov`, {
        bucket: runtime.bucket,
        key: provenanceKey(keys[i]!),
      });
    }),
  );
  progress(`  signed and uploaded ${archives.length} .prov files (key ${signingKey.fingerprint.slice(-16)})`);
  // A .prov arriving alone re-runs its chart, which is not there yet: let those runs settle first.
  await runtime.idle();
  chartsUploading();
  const uploads = await Promise.all(
    archives.map((archive, i) =>
      uploadFile(runtime.s3.client, archive, { bucket: runtime.bucket, key: keys[i]! }),
    ),
  );
  for (const uploaded of uploads) {
    progress(`  uploaded            s3://${runtime.bucket}/${uploaded.key} (${uploaded.bytes} bytes)`);
  }
  return keys;
};

/**
 * `helm package` stamps file times into the archive, so each packaging of the same chart has another
 * digest. A re-run on the same work dir keeps the archive it uploaded the first time: the same bytes,
 * so the new `.prov` (signed with this run's key) still matches the object already in the bucket.
 */
const keepFirstPackage = async (fresh: string, packages: string): Promise<string> => {
  const kept = join(packages, basename(fresh));
  const exists = await stat(kept).then(
    () => true,
    () => false,
  );
  if (!exists) await rename(fresh, kept);
  return kept;
};

/** The releases this run changed (Flux reports only those), and every chart the demo uploaded. */
const changed = (runs: readonly UploadOutcome[]): Change[] =>
  charts(runs.filter((run) => run.status === 'promoted' && run.environment !== undefined));

const charts = (runs: readonly UploadOutcome[]): Change[] =>
  runs.flatMap((run) =>
    run.chart && run.version
      ? [{ chart: run.chart, version: run.version, environment: run.environment ?? '' }]
      : [],
  );
