import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLambdaFunction } from '../../test/lambda/support/lambda-function';
import { sandboxProblem } from '../../test/lambda/support/lambda-sandbox';
import { readSynthesizedApp, synthesize } from '../../test/lambda/support/synthesized-app';
import { startXRayDaemonSink } from '../../test/lambda/support/xray-daemon-sink';
import { startAwsJsonStandIn } from '../../test/support/aws-json-stand-in';
import { sample, summarize } from '../lib/figures';
import type { Scenario } from '../lib/scenario';

/**
 * Scenario 7: each function of `cdk synth`'s assembly started as Lambda starts it (the Lambda-shaped
 * run of test/lambda: Node 22, read-only sandbox, layers at /opt, the template's environment), in a
 * fresh execution environment per run. Reported: Lambda's "Init Duration" (sandbox start → the
 * runtime's first poll for an event: loading the bundle and its top-level code), and the first
 * invocation of an event the function answers without work (`{}`), so no stand-in is needed.
 * Needs bubblewrap and unzip; without them the scenario notes why and measures nothing.
 */
export const lambdaColdStart: Scenario = {
  id: 'lambda-cold-start',
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
      for (const fn of app.functions) {
        const name = fn.constructPath.split('/').slice(-3, -2)[0]?.toLowerCase() ?? fn.logicalId;
        context.log(`  ${name}`);
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
        context.sink.figure(
          `lambda.init.${name}`,
          summarize(
            runs.init,
            'ms',
            `Init Duration, ${fn.memorySize} MB function, sandbox start → first poll`,
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
