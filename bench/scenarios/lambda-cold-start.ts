import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLambdaFunction } from '../../test/lambda/support/lambda-function';
import { sandboxProblem } from '../../test/lambda/support/lambda-sandbox';
import {
  readSynthesizedApp,
  type SynthesizedFunction,
  synthesize,
} from '../../test/lambda/support/synthesized-app';
import { startXRayDaemonSink } from '../../test/lambda/support/xray-daemon-sink';
import { startAwsJsonStandIn } from '../../test/support/aws-json-stand-in';
import { type BundleMetafile, bundleContents, describeTop } from '../lib/bundle-contents';
import { computed, sample, summarize } from '../lib/figures';
import type { Scenario } from '../lib/scenario';

/**
 * Scenario 7: each function of `cdk synth`'s assembly started as Lambda starts it (the Lambda-shaped
 * run of test/lambda: Node 22, read-only sandbox, layers at /opt, the template's environment), in a
 * fresh execution environment per run. Reported: Lambda's "Init Duration" (sandbox start → the
 * runtime's first poll for an event: loading the bundle and its top-level code), and the first
 * invocation of an event the function answers without work (`{}`), so no stand-in is needed.
 * Needs bubblewrap and unzip; without them the scenario notes why and measures nothing.
 *
 * Beside them, in the same run and the same sandbox, an empty handler (`export const handler = async
 * () => ({})`, no layers) gives the floor every Node 22 function pays: each function's init is also
 * reported as a ratio to it (`ratio.lambda-init.<fn>/empty`), which a loaded machine disturbs far
 * less than the milliseconds. Each bundle's size and its largest packages come from the metafile
 * esbuild writes beside it (`index.meta.json`).
 */

/** What the asset's metafile says it loads at init and lazily (bench/lib/bundle-contents.ts). */
const bundleFigures = async (asset: string) => {
  const metafile = JSON.parse(await readFile(path.join(asset, 'index.meta.json'), 'utf8')) as BundleMetafile;
  const contents = bundleContents(metafile);
  return { ...contents, top: describeTop(contents) };
};

/** A function like `like` whose code is an empty handler: what any Node 22 function's init costs. */
const emptyFunction = async (like: SynthesizedFunction, dir: string): Promise<SynthesizedFunction> => {
  const asset = path.join(dir, 'empty-handler');
  await mkdir(asset, { recursive: true });
  await writeFile(path.join(asset, 'index.mjs'), 'export const handler = async () => ({});\n');
  return {
    ...like,
    logicalId: 'EmptyHandler',
    constructPath: 'Bench/Empty/Function/Resource',
    handler: 'index.handler',
    asset,
    layers: [],
  };
};
export const lambdaColdStart: Scenario = {
  id: 'lambda-cold-start',
  quick: false,
  title: '7. Cold start of the synthesized bundles, run as Lambda runs them',
  run: async (context) => {
    const problem = await sandboxProblem();
    if (problem !== undefined) {
      context.sink.note(`lambda cold start not measured: ${problem}`);
      return;
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-lambda-'));
    const xray = await startXRayDaemonSink();
    const aws = await startAwsJsonStandIn();
    try {
      context.log('  cdk synth');
      await synthesize(path.join(dir, 'cdk.out'));
      const app = await readSynthesizedApp(path.join(dir, 'cdk.out'));
      const local = {
        region: 'eu-west-1',
        account: '123456789012',
        stackName: app.stackName,
        sqsEndpoint: aws.endpoint,
      };
      const [first] = app.functions;
      if (first === undefined) throw new Error('the synthesized app has no function');
      const inits = new Map<string, number>();
      for (const fn of [await emptyFunction(first, dir), ...app.functions]) {
        const name = fn.constructPath.split('/').slice(-3, -2)[0]?.toLowerCase() ?? fn.logicalId;
        context.log(`  ${name}`);
        if (name !== 'empty') {
          const bundle = await bundleFigures(fn.asset);
          context.sink.figure(
            `bundle.${name}`,
            computed(
              bundle.initBytes / 1024,
              'KiB',
              1,
              `loaded at init (index.mjs + its static chunks), minified; largest: ${bundle.top}`,
            ),
          );
          context.sink.figure(
            `bundle-lazy.${name}`,
            computed(bundle.lazyBytes / 1024, 'KiB', 1, 'chunks loaded only when a feature is configured'),
          );
        }
        const runs = await sample(context.plan, async () => {
          const lambda = await startLambdaFunction({
            app,
            fn,
            local,
            credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
            endpoints: {},
            xrayDaemon: xray.address,
            workDir: path.join(dir, fn.logicalId),
          });
          try {
            await lambda.invoke({});
            const [start] = lambda.coldStarts();
            return {
              init: start?.initDurationMs ?? Number.NaN,
              first: start?.firstInvocationMs ?? Number.NaN,
            };
          } finally {
            await lambda.stop();
          }
        });
        const init = summarize(
          runs.init,
          'ms',
          `Init Duration, ${fn.memorySize} MB function, sandbox start → first poll`,
        );
        context.sink.figure(`lambda.init.${name}`, init);
        inits.set(name, init.median);
        const empty = inits.get('empty');
        if (name !== 'empty' && empty !== undefined)
          context.sink.figure(
            `ratio.lambda-init.${name}/empty`,
            computed(
              init.median / empty,
              '×',
              runs.init.length,
              'Init Duration vs an empty handler, same run',
            ),
          );
        context.sink.figure(
          `lambda.first-invoke.${name}`,
          summarize(runs.first, 'ms', 'first invocation of an event answered without work'),
        );
      }
    } finally {
      await Promise.all([xray.close(), aws.close()]);
      await rm(dir, { recursive: true, force: true });
    }
  },
};
