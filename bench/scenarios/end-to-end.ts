import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../lib/charts';
import { sample, summarize } from '../lib/figures';
import type { Scenario } from '../lib/scenario';

/**
 * Scenario 6: end to end on this machine. (1) `./bin/chart-promoter demo --json` wall time, spawn to
 * exit, in a fresh work dir each run (the sample charts, helm render check on). (2) The same flow in a
 * fresh process with a timestamp at each stage boundary (bench/lib/demo-stages.ts), split into:
 *   startup  process start → runtime ready (node, tsx, module loads, local S3, cluster repo, helm)
 *   upload   helm package + PUT of each sample chart to the local S3 endpoint
 *   queue    last upload → first S3 read (event delivery + the local queue's 250 ms batching window,
 *            SQS's MaximumBatchingWindow in AWS)
 *   intake   first S3 read → first repository snapshot (read, static checks, helm lint + template)
 *   plan     first snapshot → first commit call (snapshot + planning)
 *   commit   first commit call → last commit returns
 *   record   → every outcome final (S3 tags, logs, run log)
 *   shutdown → local S3 closed
 * In-process timestamps rather than the pipeline logs: the logs carry one durationMs per upload, not
 * the stage boundaries. The split covers upload → commit to the first environment; whatever else the
 * demo command does (signing the charts, Flux feedback playback to the next environments, printing)
 * is the difference between time.demo and time.demo-stage.total, stated in a note.
 */

interface Output {
  readonly ok: boolean;
  readonly charts: number;
  readonly commits: number;
  readonly marks: Record<string, number>;
}

const STAGES = [
  ['startup', undefined, 'ready'],
  ['upload', 'ready', 'uploaded'],
  ['queue', 'uploaded', 'firstRead'],
  ['intake', 'firstRead', 'firstSnapshot'],
  ['plan', 'firstSnapshot', 'firstCommit'],
  ['commit', 'firstCommit', 'lastCommitEnd'],
  ['record', 'lastCommitEnd', 'done'],
  ['shutdown', 'done', 'closed'],
] as const;

const run = (args: readonly string[]) =>
  new Promise<{ ms: number; stdout: string }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`${args.join(' ')} exited ${code}: ${(stderr || stdout).slice(-1500)}`));
    });
  });

/** Boundaries in order; an overlapping one (intake may start before the last upload) is clamped. */
const stageDurations = (marks: Record<string, number>): Record<string, number> => {
  const out: Record<string, number> = {};
  let previous = 0;
  for (const [name, , to] of STAGES) {
    const at = Math.max(previous, marks[to] ?? previous);
    out[name] = at - previous;
    previous = at;
  }
  out.total = previous;
  return out;
};

export const endToEnd: Scenario = {
  id: 'e2e',
  title: '6. End to end (demo: local S3 + local cluster repository, sample charts, helm check on)',
  run: async (context) => {
    const root = await mkdtemp(path.join(tmpdir(), 'bench-e2e-'));
    try {
      let n = 0;
      // Quick mode: no warm-up demo (each demo run is a fresh process in a fresh work dir, and the
      // median of three is robust to the first run's cold caches), two staged runs instead of three.
      const { quick } = context.plan;
      const demoPlan = quick ? { ...context.plan, warmups: 0 } : context.plan;
      const demo = await sample(demoPlan, async () => {
        const { ms, stdout } = await run([
          'bin/chart-promoter',
          'demo',
          '--json',
          '--workdir',
          path.join(root, `demo-${n++}`),
        ]);
        const parsed = JSON.parse(stdout) as { runs: { status: string }[] };
        if (!parsed.runs.every((r) => r.status === 'promoted'))
          throw new Error(`demo did not promote: ${stdout}`);
        return { ms };
      });
      context.sink.figure(
        'time.demo',
        summarize(demo.ms, 'ms', '`chart-promoter demo --json`, spawn → exit'),
      );
      let commits = 0;
      // The demo runs above warmed tsx's cache, helm and the page cache: no separate warm-up.
      const stages = await sample({ runs: quick ? 2 : context.plan.runs, warmups: 0 }, async () => {
        const { stdout } = await run([
          '--import',
          'tsx',
          'bench/lib/demo-stages.ts',
          path.join(root, `stages-${n++}`),
        ]);
        const output = JSON.parse(stdout) as Output;
        if (!output.ok) throw new Error(`demo stages did not promote: ${stdout}`);
        commits = Math.max(commits, output.commits);
        return stageDurations(output.marks);
      });
      for (const [name, samples] of Object.entries(stages)) {
        context.sink.figure(`time.demo-stage.${name}`, summarize(samples, 'ms'));
      }
      context.sink.detail('time.demo-stage.commits', commits);
      if (quick)
        context.sink.note(
          'quick mode: scenario 6 runs the demo 3 times with no warm-up, the staged flow twice',
        );
      const beyond = summarize(demo.ms, 'ms').median - summarize(stages.total!, 'ms').median;
      context.sink.note(
        `end to end: the demo command spends ~${Math.round(beyond)} ms (median difference) beyond the staged ` +
          'upload → first-environment commit: chart signing, feedback playback to later environments, output',
      );
      if (commits > 1)
        context.sink.note(`end to end: the sample charts landed in ${commits} commits in some run`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};
