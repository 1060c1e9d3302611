import { systemClock } from '../ports/clock';
import type { ReleaseRenderer } from '../ports/release-renderer';
import { planValuesChangeAtHead } from '../promotion/values/run-values-change';
import type { ValuesChange } from '../promotion/values/values-change';
import { existingClusterRepository, localClusterHost } from './cluster-repository';

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
  const { host } = await localClusterHost(existingClusterRepository(options.workdir));
  return planValuesChangeAtHead(host, options.branch ?? 'main', change, {
    clock: systemClock,
    fallbackEnvironment: options.environment ?? 'dev',
    compare: true,
    ...(options.renderer ? { renderer: options.renderer } : {}),
  });
};
