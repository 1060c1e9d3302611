import type { RenderResult } from './chart-renderer';

/**
 * Renders a chart version that is already in the cluster repository with a release's composed values,
 * as Flux's helm-controller would install it: `helm template` of the chart directory with those values,
 * release name and namespace. Used to check a values change before it is committed, and to show what
 * it changes.
 */
export interface ReleaseRenderRequest {
  /** The chart's name and version (for messages). */
  readonly chart: { readonly name: string; readonly version: string };
  /** Every file of the chart directory, paths relative to it. */
  readonly files: readonly { readonly path: string; readonly data: Uint8Array }[];
  /** The composed values, as a JSON (so YAML) document. */
  readonly values: string;
  readonly releaseName: string;
  readonly namespace: string;
}

export interface ReleaseRenderer {
  renderRelease(request: ReleaseRenderRequest): Promise<RenderResult>;
}
