/**
 * The demo's flow (cli/commands/demo.ts) in a fresh process, with a timestamp at each stage boundary,
 * printed as one JSON object on stdout. Run by bench/scenarios/end-to-end.ts as
 * `node --import tsx bench/lib/demo-stages.ts <workdir>`. Timestamps are performance.now(): ms since
 * this process started, so "ready" includes node's boot, tsx and every module load.
 *
 * The pipeline runs unchanged (startLocalRuntime, the same queue, handler and adapters); the stage
 * marks come from wrapping three prototype methods in this process only: S3ObjectStore.get (intake
 * reads the upload), PlainGitHost.snapshot (planning reads the repository) and PlainGitHost.commit.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createCliDependencies } from '../../cli/composition';
import { outcomesFor, startLocalPipeline } from '../../cli/local-pipeline';
import { PlainGitHost } from '../../functions/adapters/git-hosts/git/plain-git-host';
import { packageChart } from '../../functions/adapters/helm-packager';
import { S3ObjectStore } from '../../functions/adapters/s3-object-store';
import { uploadFile } from '../../functions/adapters/s3-uploader';
import type { UploadOutcome } from '../../functions/pipeline/upload-outcome';

const marks: Record<string, number> = {};
let armed = false;
const first = (name: string) => {
  if (armed) marks[name] ??= performance.now();
};
const last = (name: string) => {
  if (armed) marks[name] = performance.now();
};

const wrap = <T extends object>(proto: T, method: keyof T, before: () => void, after: () => void) => {
  const original = proto[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  (proto as Record<keyof T, unknown>)[method] = async function (this: unknown, ...args: unknown[]) {
    before();
    try {
      return await original.apply(this, args);
    } finally {
      after();
    }
  };
};
wrap(
  S3ObjectStore.prototype,
  'get',
  () => first('firstRead'),
  () => {},
);
wrap(
  PlainGitHost.prototype,
  'snapshot',
  () => first('firstSnapshot'),
  () => {},
);
wrap(
  PlainGitHost.prototype,
  'commit',
  () => first('firstCommit'),
  () => last('lastCommitEnd'),
);

const workdir = process.argv[2];
if (!workdir) throw new Error('usage: demo-stages.ts <workdir>');
const deps = createCliDependencies();
const seen = new Map<string, UploadOutcome>();
const listeners: (() => void)[] = [];
const runtime = await startLocalPipeline(deps, {
  workdir,
  render: true,
  onOutcomes: (outcomes) => {
    for (const outcome of outcomes) seen.set(outcome.key, outcome);
    for (const listener of listeners) listener();
  },
});
const helm = await deps.helmPath();
armed = true;
marks.ready = performance.now();

const packages = join(workdir, 'packages');
await mkdir(packages, { recursive: true });
const keys: string[] = [];
const entries = await readdir(deps.sampleChartsDir, { withFileTypes: true });
for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
  const dir = join(deps.sampleChartsDir, entry.name);
  if (
    !(await stat(join(dir, 'Chart.yaml')).then(
      () => true,
      () => false,
    ))
  )
    continue;
  const archive = await packageChart(helm, dir, packages);
  const key = `${runtime.prefix}${basename(archive)}`;
  await uploadFile(runtime.s3.client, archive, { bucket: runtime.bucket, key });
  keys.push(key);
}
marks.uploaded = performance.now();
const runs = await outcomesFor(keys, seen, (listener) => listeners.push(listener), 120_000);
marks.done = performance.now();
await runtime.close();
marks.closed = performance.now();
const commits = new Set(runs.map((run) => run.commit).filter((c) => c !== undefined));
const ok = runs.every((run) => run.status === 'promoted');
process.stdout.write(`${JSON.stringify({ ok, charts: runs.length, commits: commits.size, marks })}\n`);
