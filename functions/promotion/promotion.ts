import type { Chart } from '../chart/chart';
import type { ChangeSet } from '../ports/git-host';
import type { ProvenanceRefusalCode } from '../provenance/provenance-codes';
import type { RepositoryLayout } from './layout';

/** One validated chart to promote into one environment. */
export interface PromotionRequest {
  readonly chart: Chart;
  readonly environment: string;
  /** Correlates logs, the commit trailer and Flux's events (HelmRelease annotation) for this run. */
  readonly runId: string;
  /** The uploaded object the chart came from (named in the commit trailers). */
  readonly source: { readonly bucket: string; readonly key: string; readonly versionId?: string };
  /** When the chart was uploaded (ISO 8601): written as the `chart-promoter.io/uploaded-at` annotation. */
  readonly uploadedAt?: string;
  /** Issue-tracker keys (issue-keys.ts): `Refs:` trailers and the `chart-promoter.io/issues` annotation. */
  readonly issues?: readonly string[];
}

/**
 * Terminal refusal codes of promotion planning (stable; never reuse one for another meaning):
 * - `VERSION_IMMUTABLE`: charts/<name>/<version>/ already holds different content;
 * - `ENVIRONMENT_INVALID`: the environment name is not a DNS-1123 label (namespace, path segment);
 * - `RELEASE_MANIFEST_INVALID`: the existing environments/<env>/<name>.yaml is not a v2 HelmRelease
 *   taking its chart from a GitRepository, or cannot be parsed;
 * - `RELEASE_SCHEMA_VIOLATION`: the HelmRelease to write fails the Flux CRD schema;
 * - `KUSTOMIZATION_INVALID`: the existing environments/<env>/kustomization.yaml cannot be edited;
 * - `CHART_NOT_ALLOWED`: the policy's allow-lists (.chart-promoter.yaml `charts`) exclude the chart there.
 */
export const PROMOTION_REFUSAL_CODES = [
  'VERSION_IMMUTABLE',
  'ENVIRONMENT_INVALID',
  'RELEASE_MANIFEST_INVALID',
  'RELEASE_SCHEMA_VIOLATION',
  'KUSTOMIZATION_INVALID',
  'CHART_NOT_ALLOWED',
] as const;

/** Plus provenance's `PROVENANCE_MISSING` / `PROVENANCE_INVALID` (functions/provenance/provenance-codes.ts). */
export type PromotionRefusalCode = (typeof PROMOTION_REFUSAL_CODES)[number] | ProvenanceRefusalCode;

/** What a promotion changed in the repository. */
export interface PromotionChanges {
  /** charts/<name>/<version>/ was written by this change set. */
  readonly chartWritten: boolean;
  /** environments/<env>/<name>.yaml was created or its chart reference updated. */
  readonly release: 'created' | 'updated' | 'unchanged';
  /** The chart version the release pointed at before, when it existed. */
  readonly previousVersion?: string;
  /** environments/<env>/kustomization.yaml gained this release. */
  readonly kustomizationUpdated: boolean;
}

export type PromotionOutcome =
  | { readonly status: 'promoted'; readonly request: PromotionRequest; readonly changes: PromotionChanges }
  /** Already there (or a duplicate of another request in the batch): nothing to commit for it. */
  | { readonly status: 'unchanged'; readonly request: PromotionRequest; readonly reason: string }
  /** A higher version of the same chart for the same environment in the same batch won. */
  | { readonly status: 'superseded'; readonly request: PromotionRequest; readonly by: string }
  | {
      readonly status: 'refused';
      readonly request: PromotionRequest;
      readonly code: PromotionRefusalCode;
      readonly message: string;
      readonly path?: string;
    };

export interface Plan {
  /** `undefined` when nothing changes: no empty commit. */
  readonly changeSet: ChangeSet | undefined;
  /** One per request, in request order. */
  readonly outcomes: readonly PromotionOutcome[];
}

export interface PlanOptions {
  /** @default DEFAULT_LAYOUT */
  readonly layout?: RepositoryLayout;
  /** The Flux GitRepository of the cluster repository. @default flux-system/flux-system */
  readonly sourceRef?: { readonly name: string; readonly namespace: string };
  /** Namespace of new HelmReleases, per environment. @default the environment name */
  readonly releaseNamespaces?: Readonly<Record<string, string>>;
  /** `spec.interval` of new HelmReleases. @default '10m' */
  readonly interval?: string;
}
