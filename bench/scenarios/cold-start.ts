import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { REPO_ROOT } from '../lib/charts';
import { computed, sample, summarize } from '../lib/figures';
import type { Scenario, ScenarioContext } from '../lib/scenario';

/**
 * Scenario 5: each Lambda function's bundle, built with esbuild exactly as CDK's NodejsFunction does
 * with the options in infra/promote/promote-function.ts (bundle, platform node, ESM, target node22,
 * main fields module,main, minify, external source map, the createRequire banner, and no externals:
 * the AWS SDK is bundled, "the versions tested are the versions deployed"). Reported: size, the top 5
 * inputs of the metafile, and module init time: the median over fresh `node` processes of the time to
 * import the bundle, with NODE_OPTIONS=--enable-source-maps as the function is deployed
 * (infra/promote/promote-environment.ts). A variant with @aws-sdk/* left external (the SDK the Node 22
 * runtime provides) shows what bundling the SDK costs in size (its init is not measured here: its
 * imports resolve only inside the Lambda runtime).
 */

// Copied from infra/promote/promote-function.ts (REQUIRE_BANNER): keep the two in step.
const REQUIRE_BANNER =
  "import { createRequire as __chartPromoterCreateRequire } from 'node:module';" +
  'const require = __chartPromoterCreateRequire(import.meta.url);';

const FUNCTIONS = ['promote', 'feedback'] as const;

/**
 * What the compositions parse at import: functions/config/promote-config.ts (repository; the helm
 * check off, no layer here) and the feedback function's config (its webhook key's secret ARN).
 */
const FUNCTION_ENV: Record<string, string> = {
  CHART_PROMOTER_REPOSITORY: 'o/r',
  CHART_PROMOTER_HELM_RENDER_CHECK: 'false',
  CHART_PROMOTER_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_SERVICE_NAME: 'chart-promoter',
  POWERTOOLS_METRICS_NAMESPACE: 'ChartPromoter',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const bundle = async (entry: string, outdir: string, sdkExternal: boolean) => {
  const outfile = path.join(outdir, 'index.mjs');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile,
    minify: true,
    sourcemap: 'external',
    metafile: true,
    banner: { js: REQUIRE_BANNER },
    mainFields: ['module', 'main'],
    external: sdkExternal ? ['@aws-sdk/*'] : [],
    logLevel: 'error',
  });
  return { outfile, metafile: result.metafile };
};

/** Inputs by bytes in the output, and the same grouped by npm package (or "(project)"). */
const topInputs = (metafile: Metafile, outfile: string, count = 5) => {
  const output = Object.entries(metafile.outputs).find(([file]) => path.resolve(file) === outfile)?.[1];
  const inputs = Object.entries(output?.inputs ?? {}).map(([file, { bytesInOutput }]) => ({
    file,
    bytes: bytesInOutput,
  }));
  const packageOf = (file: string) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    return match ? match[1]! : '(project)';
  };
  const byPackage = new Map<string, number>();
  for (const { file, bytes } of inputs)
    byPackage.set(packageOf(file), (byPackage.get(packageOf(file)) ?? 0) + bytes);
  return {
    files: inputs.sort((a, b) => b.bytes - a.bytes).slice(0, count),
    packages: [...byPackage]
      .map(([name, bytes]) => ({ package: name, bytes }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, count),
  };
};

/** One fresh node process: ms to import the bundle (module init), and the process's wall time. */
const importOnce = (outfile: string, sourceMaps = true) =>
  new Promise<{ initMs: number; processMs: number }>((resolve, reject) => {
    const script =
      'const t = performance.now();' +
      `await import(${JSON.stringify(pathToFileURL(outfile).href)});` +
      'process.stdout.write(String(performance.now() - t));';
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        ...FUNCTION_ENV,
        ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const initMs = Number(out);
      if (code !== 0 || !Number.isFinite(initMs))
        reject(new Error(`import of ${outfile} failed (${code}): ${err.slice(-1500)}`));
      else resolve({ initMs, processMs: performance.now() - started });
    });
  });

const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;

/** Bundles one variant and reports its size and top inputs; returns the output file and its size. */
const measureBundle = async (
  context: ScenarioContext,
  variant: string,
  entry: string,
  dir: string,
  sdkExternal: boolean,
) => {
  const { outfile, metafile } = await bundle(entry, path.join(dir, variant), sdkExternal);
  const bytes = (await stat(outfile)).size;
  const note = sdkExternal ? '@aws-sdk/* left to the runtime' : 'as CDK bundles it (SDK included)';
  context.sink.figure(`bundle.${variant}`, computed(bytes / 1000, 'KB', 1, note));
  const top = topInputs(metafile, outfile);
  context.sink.detail(`bundle.${variant}.top-inputs`, top);
  if (!sdkExternal)
    context.sink.note(
      `bundle.${variant} top inputs: ${top.files.map((f) => `${f.file.replace(/^node_modules\//, '')} ${kb(f.bytes)}`).join(', ')}; ` +
        `by package: ${top.packages.map((p) => `${p.package} ${kb(p.bytes)}`).join(', ')}`,
    );
  return { outfile, bytes };
};

/**
 * The deployed bundle: size, top inputs and init; the SDK-external variant's size (its SDK imports
 * resolve only inside the Lambda runtime, so no init) and init without source maps: full mode only.
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
  const plain = await sample({ ...initPlan, warmups: 0 }, () => importOnce(deployed.outfile, false));
  sink.figure(
    `init.${name}.no-source-maps`,
    summarize(plain.initMs, 'ms', 'same, without --enable-source-maps'),
  );
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
              `bundle.promote = ${kb(measured.bytes)} (${measured.bytes} bytes, SDK bundled as infra does)` +
              (without === undefined ? '' : `; without @aws-sdk/*: ${kb(without)}`),
            met: measured.bytes <= 500_000,
          });
          context.sink.target({
            target: 'Promote init ≤ 150 ms on this machine',
            evidence: `init.promote = ${measured.initMs.toFixed(0)} ms (median, --enable-source-maps as deployed)`,
            met: measured.initMs <= 150,
          });
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
