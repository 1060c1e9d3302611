import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLE_OPTIONS } from '../../infra/lambda/bundled-node-function';
import { bundleContents, describeTop } from '../lib/bundle-contents';
import { REPO_ROOT } from '../lib/charts';
import { computed, sample, summarize } from '../lib/figures';
import { importInFreshNode } from '../lib/fresh-node-import';
import type { Scenario, ScenarioContext } from '../lib/scenario';

/**
 * Scenario 5: each Lambda function's bundle, built with esbuild exactly as the stack builds it
 * (LAMBDA_BUNDLE_OPTIONS of infra/lambda/bundled-node-function.ts: ESM, node22, minified, code
 * splitting, the AWS SDK inside). Reported: what it loads at init (index.mjs and its static chunks)
 * and lazily, its largest packages, and module init time: the median over fresh `node` processes of
 * the time to import the bundle, with no NODE_OPTIONS, as the function is deployed. A variant with
 * @aws-sdk/* left external (the SDK the Node 22 runtime provides) shows what bundling the SDK costs
 * in size (its init is not measured here: its imports resolve only inside the Lambda runtime).
 * `npm run bench -- --only lambda-cold-start` measures the synthesized bundles as Lambda starts them.
 */

const FUNCTIONS = ['promote', 'feedback', 'feedback-worker'] as const;

const bundle = async (entry: string, outdir: string, sdkExternal: boolean) => {
  const result = await build({
    ...LAMBDA_BUNDLE_OPTIONS,
    entryPoints: [entry],
    outdir,
    external: sdkExternal ? ['@aws-sdk/*'] : [],
    logLevel: 'error',
  });
  return { outfile: path.join(outdir, 'index.mjs'), contents: bundleContents(result.metafile) };
};

/** One fresh node process: ms to import the bundle (module init), and the process's wall time. */
const importOnce = async (outfile: string) => {
  const { stdout, processMs } = await importInFreshNode(
    outfile,
    'const t = performance.now();',
    'process.stdout.write(String(performance.now() - t));',
  );
  const initMs = Number(stdout);
  if (!Number.isFinite(initMs)) throw new Error(`import of ${outfile} wrote no time: ${stdout.slice(-500)}`);
  return { initMs, processMs };
};

const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;

/** Bundles one variant and reports what it loads at init and lazily; returns index.mjs and the init bytes. */
const measureBundle = async (
  context: ScenarioContext,
  variant: string,
  entry: string,
  dir: string,
  sdkExternal: boolean,
) => {
  const { outfile, contents } = await bundle(entry, path.join(dir, variant), sdkExternal);
  const note = sdkExternal ? '@aws-sdk/* left to the runtime' : 'as the stack bundles it (SDK included)';
  context.sink.figure(
    `bundle.${variant}`,
    computed(contents.initBytes / 1000, 'KB', 1, `loaded at init, ${note}`),
  );
  context.sink.figure(
    `bundle-lazy.${variant}`,
    computed(contents.lazyBytes / 1000, 'KB', 1, 'chunks only an import() reaches'),
  );
  context.sink.detail(`bundle.${variant}.top-packages`, contents.top);
  if (!sdkExternal) context.sink.note(`bundle.${variant} largest packages at init: ${describeTop(contents)}`);
  return { outfile, bytes: contents.initBytes };
};

/**
 * The deployed bundle: size, top packages and init; the SDK-external variant's size (its SDK imports
 * resolve only inside the Lambda runtime, so no init): full mode only.
 */
const measureFunction = async (context: ScenarioContext, name: string, entry: string, dir: string) => {
  const { sink, plan } = context;
  const deployed = await measureBundle(context, name, entry, dir, false);
  // Fresh processes: more of them than the other scenarios' runs, they are cheap.
  const initPlan = { runs: plan.runs * 2, warmups: plan.warmups };
  const runs = await sample(initPlan, () => importOnce(deployed.outfile));
  const init = summarize(runs.initMs, 'ms', 'import of the bundle in a fresh node');
  sink.figure(`init.${name}`, init);
  sink.figure(
    `time.node-process.${name}`,
    summarize(runs.processMs, 'ms', 'spawn → exit, node boot included'),
  );
  if (plan.quick) return { bytes: deployed.bytes, initMs: init.median };
  const external = await measureBundle(context, `${name}-sdk-external`, entry, dir, true);
  return { bytes: deployed.bytes, initMs: init.median, sdkExternalBytes: external.bytes };
};

export const coldStart: Scenario = {
  id: 'cold-start',
  title: '5. Cold start (esbuild bundle as CDK builds it; module init in fresh node processes)',
  run: async (context) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-bundle-'));
    try {
      for (const name of FUNCTIONS) {
        const entry = path.join(REPO_ROOT, 'functions', 'handlers', `${name}.ts`);
        const exists = await access(entry).then(
          () => true,
          () => false,
        );
        if (!exists) {
          context.sink.note(`cold start: functions/handlers/${name}.ts does not exist yet, not measured`);
          continue;
        }
        context.log(`  ${name}`);
        const measured = await measureFunction(context, name, entry, dir);
        if (name === 'promote') {
          const without = measured.sdkExternalBytes;
          context.sink.target({
            target: 'Promote bundle ≤ 500 KB minified',
            evidence:
              `bundle.promote = ${kb(measured.bytes)} loaded at init (${measured.bytes} bytes, SDK bundled as infra does)` +
              (without === undefined ? '' : `; without @aws-sdk/*: ${kb(without)}`),
            met: measured.bytes <= 500_000,
          });
          context.sink.target({
            target: 'Promote init ≤ 150 ms on this machine',
            evidence: `init.promote = ${measured.initMs.toFixed(0)} ms (median, fresh node, as deployed)`,
            met: measured.initMs <= 150,
          });
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
