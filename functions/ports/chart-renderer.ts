import type { Chart } from '../chart/chart';
import type { Refusal } from '../chart/refusal';

export interface RenderRequest {
  /** The packaged chart exactly as uploaded (the renderer never reads the bucket). */
  readonly archive: Uint8Array;
  readonly chart: Chart;
  /** Extra values as YAML (a HelmRelease's `spec.values`), applied over the chart's defaults. */
  readonly values?: string;
  readonly releaseName?: string;
  readonly namespace?: string;
}

export type RenderResult =
  | { readonly ok: true; readonly manifests: string; readonly durationMs: number }
  | { readonly ok: false; readonly refusal: Refusal };

/** Proves a chart renders, the way Flux's helm-controller would (Helm 3 lint + template). */
export interface ChartRenderer {
  render(request: RenderRequest): Promise<RenderResult>;
}
