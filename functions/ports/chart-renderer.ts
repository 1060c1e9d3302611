/**
 * Proves a chart renders, the way Flux's helm-controller would (Helm 3 lint + template). The port
 * names only what a renderer needs of a chart, so it depends on nothing above it; a `Chart` of
 * functions/chart fits `RenderRequest.chart`, and a `RenderRefusal` is a chart `Refusal`.
 */
export interface RenderRequest {
  /** The packaged chart exactly as uploaded (the renderer never reads the bucket). */
  readonly archive: Uint8Array;
  /** The chart's name (the default release name) and version, as intake read them. */
  readonly chart: { readonly name: string; readonly version: string };
  /** Extra values as YAML (a HelmRelease's `spec.values`), applied over the chart's defaults. */
  readonly values?: string;
  readonly releaseName?: string;
  readonly namespace?: string;
}

/** helm's own message; `path` is the template it names, when it names one. */
export interface RenderRefusal {
  readonly code: 'RENDER_FAILED';
  readonly message: string;
  readonly path?: string;
}

export type RenderResult =
  | { readonly ok: true; readonly manifests: string; readonly durationMs: number }
  | { readonly ok: false; readonly refusal: RenderRefusal };

export interface ChartRenderer {
  render(request: RenderRequest): Promise<RenderResult>;
}
