import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { PromoterError } from '../errors';
import { systemClock } from '../ports/clock';
import type { ReleaseRenderer } from '../ports/release-renderer';
import { planValuesChangeAtHead } from '../promotion/values/run-values-change';
import type { ValuesChange } from '../promotion/values/values-change';
import { localClusterHost } from './cluster-repository';

export interface LocalValuesDiffOptions {
  readonly workdir: string;
  /** helm template before and after; absent = the schema check only, nothing rendered. */
  readonly renderer?: ReleaseRenderer;
  /** @default 'main' */
  readonly branch?: string;
  /** The environment of a repository without .chart-promoter.yaml. @default 'dev' */
  readonly environment?: string;
}

/**
 * What a values change would do in the embedded runtime's cluster repository (`chart-promoter values
 * diff`): the same plan as the pipeline's (gates, the HelmRelease rewritten, rendered before and
 * after), at the branch head, committing nothing. Throws CLUSTER_REPOSITORY_MISSING (terminal) when
 * the work dir has no cluster repository.
 */
export const planLocalValuesChange = async (change: ValuesChange, options: LocalValuesDiffOptions) => {
  const workdir = resolve(options.workdir);
  const clusterRepo = join(workdir, 'cluster.git');
  if (!fs.existsSync(join(clusterRepo, 'HEAD'))) {
    throw new PromoterError(
      'CLUSTER_REPOSITORY_MISSING',
      'terminal',
      `no cluster repository in ${workdir}: start one with \`chart-promoter local --workdir ${workdir}\` or \`chart-promoter demo --workdir ${workdir}\``,
    );
  }
  const { host } = await localClusterHost(clusterRepo);
  return planValuesChangeAtHead(host, options.branch ?? 'main', change, {
    clock: systemClock,
    fallbackEnvironment: options.environment ?? 'dev',
    compare: true,
    ...(options.renderer ? { renderer: options.renderer } : {}),
  });
};
