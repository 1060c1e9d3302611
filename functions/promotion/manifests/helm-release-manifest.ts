import { type Document, isMap, isScalar, parseAllDocuments, type Scalar, type YAMLMap } from 'yaml';
import { applySplices, insertPair, keyColumn, replaceScalar, type Splice, scalarSource } from './yaml-splice';

/**
 * environments/<env>/<name>.yaml: a Flux HelmRelease taking its chart from the cluster repository's own
 * GitRepository. https://fluxcd.io/flux/components/helm/helmreleases/
 *
 * On promotion only three scalars change: `spec.chart.spec.chart` (the chart's path), the
 * `event.toolkit.fluxcd.io/run-id` annotation (Flux copies `event.toolkit.fluxcd.io/*` annotations into
 * its events' metadata, which is how the feedback endpoint ties an event to a run), and
 * `spec.chart.spec.version` only if a human put it there: Flux ignores `version` for charts from a
 * GitRepository (CRD: "ignored for charts from v1.GitRepository and v1beta2.Bucket sources"), so the
 * default never writes it, and an existing one is kept truthful rather than stale.
 */
export const HELM_RELEASE_API_VERSION = 'helm.toolkit.fluxcd.io/v2';
export const RUN_ID_ANNOTATION = 'event.toolkit.fluxcd.io/run-id';

export interface ReleaseTarget {
  readonly chartPath: string;
  readonly version: string;
  readonly runId: string;
  /**
   * More annotations to set alongside the run id (`chart-promoter.io/previous-version`,
   * `chart-promoter.io/uploaded-at`: see release-annotations.ts). Absent: only the run id.
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The run id first, then the extra annotations, as written. */
const annotationsOf = (target: ReleaseTarget): [string, string][] => [
  [RUN_ID_ANNOTATION, target.runId],
  ...Object.entries(target.annotations ?? {}).filter(([key]) => key !== RUN_ID_ANNOTATION),
];

export interface NewRelease extends ReleaseTarget {
  readonly name: string;
  readonly namespace: string;
  readonly sourceRef: { readonly name: string; readonly namespace: string };
  readonly interval: string;
}

export type ReleaseEdit =
  | { readonly ok: true; readonly text: string; readonly object: unknown }
  | { readonly ok: false; readonly message: string };

interface ParsedRelease {
  readonly doc: Document.Parsed;
  readonly metadata: YAMLMap;
  readonly chartSpec: YAMLMap;
  readonly chartNode: Scalar;
  readonly versionNode: Scalar | undefined;
  readonly annotations: YAMLMap | undefined;
  /** The chart path the release points at now. */
  readonly chartPath: string;
  /** `spec.chart.spec.version`, when a human set it. */
  readonly version: string | undefined;
}

export type ReleaseRead =
  | ({ readonly ok: true } & ParsedRelease)
  | { readonly ok: false; readonly message: string };

/**
 * The HelmRelease of a NEW release. `install.crds` and `upgrade.crds` are `CreateReplace`: left out,
 * a chart's CRDs are created once and never updated. helm-controller v1.6.3 api/v2/helmrelease_types.go
 * documents the defaults as `Create` for install (L598-L617) and `Skip` for upgrade (L872-L890);
 * its code (internal/action/crds.go L44-L63, crdPolicyOrDefault, used by install.go L55 and
 * upgrade.go L80) falls back to `Create` for both. Either way an existing CRD is never replaced, so a
 * new chart version's CRD changes would not reach the cluster; `CreateReplace` creates new CRDs and
 * replaces existing ones, never deletes. https://github.com/fluxcd/helm-controller/blob/v1.6.3/api/v2/helmrelease_types.go#L872-L890
 * Existing HelmReleases are only spliced (retargetHelmRelease), so a value a human set stays.
 */
export const newHelmReleaseText = (release: NewRelease): string => {
  const s = (value: string): string => scalarSource(value);
  return `# Managed by chart-promoter. A promotion changes only spec.chart.spec.chart (and
# spec.chart.spec.version, if you add it) and its annotations: ${RUN_ID_ANNOTATION}
# and chart-promoter.io/* (previous version, upload time).
# Everything else is yours to edit (values, install/upgrade settings, interval, comments):
# chart-promoter keeps it byte for byte.
apiVersion: ${HELM_RELEASE_API_VERSION}
kind: HelmRelease
metadata:
  name: ${s(release.name)}
  namespace: ${s(release.namespace)}
  annotations:
${annotationsOf(release)
  .map(([key, value]) => `    ${s(key)}: ${s(value)}\n`)
  .join('')}spec:
  interval: ${s(release.interval)}
  chart:
    spec:
      chart: ${s(release.chartPath)}
      # Every chart version has its own path: ChartVersion (Flux's default) upgrades when a promotion
      # changes it, whereas Revision would upgrade every release on any commit to this repository.
      reconcileStrategy: ChartVersion
      sourceRef:
        kind: GitRepository
        name: ${s(release.sourceRef.name)}
        namespace: ${s(release.sourceRef.namespace)}
  # CRDs from the chart's crds/ directory: created on install AND replaced on upgrade, so a new chart
  # version's CRD changes reach the cluster. Flux's own default never updates an existing CRD.
  install:
    crds: CreateReplace
    remediation:
      retries: 3
  upgrade:
    crds: CreateReplace
    cleanupOnFail: true
    remediation:
      retries: 3
  # Overrides of the chart's values.yaml.
  values: {}
`;
};

const invalid = (message: string): { ok: false; message: string } => ({ ok: false, message });

const mapAt = (map: YAMLMap | undefined, key: string): YAMLMap | undefined => {
  const node = map?.get(key, true);
  return isMap(node) ? node : undefined;
};

const scalarAt = (map: YAMLMap | undefined, key: string): Scalar | undefined => {
  const node = map?.get(key, true);
  return isScalar(node) ? node : undefined;
};

/** Parses an existing HelmRelease and locates the nodes a promotion edits. */
export const readHelmRelease = (text: string): ReleaseRead => {
  const docs = parseAllDocuments(text);
  const doc = docs[0];
  if (docs.length !== 1 || !doc) return invalid(`expected exactly one YAML document, found ${docs.length}`);
  if (doc.errors.length > 0) return invalid(`not valid YAML: ${doc.errors[0]?.message}`);
  const root = isMap(doc.contents) ? doc.contents : undefined;
  const apiVersion = scalarAt(root, 'apiVersion')?.value;
  if (apiVersion !== HELM_RELEASE_API_VERSION) {
    return invalid(`apiVersion is ${String(apiVersion)}, expected ${HELM_RELEASE_API_VERSION}`);
  }
  if (scalarAt(root, 'kind')?.value !== 'HelmRelease') return invalid('kind is not HelmRelease');
  const metadata = mapAt(root, 'metadata');
  const chartSpec = mapAt(mapAt(mapAt(root, 'spec'), 'chart'), 'spec');
  const chartNode = scalarAt(chartSpec, 'chart');
  if (!metadata || !chartSpec || !chartNode || typeof chartNode.value !== 'string') {
    return invalid(
      'metadata or spec.chart.spec.chart is missing (spec.chartRef is not managed by chart-promoter)',
    );
  }
  if (scalarAt(mapAt(chartSpec, 'sourceRef'), 'kind')?.value !== 'GitRepository') {
    return invalid('spec.chart.spec.sourceRef.kind must be GitRepository (the cluster repository)');
  }
  const annotationsNode = metadata.get('annotations', true);
  if (annotationsNode !== undefined && !isMap(annotationsNode))
    return invalid('metadata.annotations is not a map');
  const versionNode = chartSpec.has('version') ? scalarAt(chartSpec, 'version') : undefined;
  if (chartSpec.has('version') && !versionNode) return invalid('spec.chart.spec.version is not a scalar');
  return {
    ok: true,
    doc,
    metadata,
    chartSpec,
    chartNode,
    versionNode,
    annotations: annotationsNode,
    chartPath: chartNode.value,
    version: versionNode === undefined ? undefined : String(versionNode.value),
  };
};

/** True when the release already points at the target chart (the run id alone is no reason to commit). */
export const isAtTarget = (release: ParsedRelease, target: ReleaseTarget): boolean =>
  release.chartPath === target.chartPath &&
  (release.version === undefined || release.version === target.version);

const retargetSplices = (
  text: string,
  release: ParsedRelease,
  target: ReleaseTarget,
): (Splice | undefined)[] => {
  const inFlow = release.chartSpec.flow === true;
  const splices = [replaceScalar(release.chartNode, target.chartPath, inFlow)];
  if (release.versionNode) splices.push(replaceScalar(release.versionNode, target.version, inFlow));
  const { annotations, metadata } = release;
  const wanted = annotationsOf(target);
  if (!annotations) {
    const step = ' '.repeat(Math.max(1, keyColumn(text, metadata) ?? 2));
    splices.push(insertPair(text, metadata, 'annotations', Object.fromEntries(wanted), step));
    return splices;
  }
  const inserts: Splice[] = [];
  for (const [key, value] of wanted) {
    const existing = annotations.get(key, true);
    if (isScalar(existing)) splices.push(replaceScalar(existing, value, annotations.flow === true));
    else if (existing === undefined) {
      const insert = insertPair(text, annotations, key, value);
      if (insert) inserts.push(insert);
      else splices.push(undefined);
    } else splices.push(undefined);
  }
  // New pairs all land after the map's last entry: one splice, in the order they are listed.
  const [first] = inserts;
  if (first) splices.push({ ...first, text: joinInserts(inserts, annotations.flow === true) });
  return splices;
};

const joinInserts = (inserts: readonly Splice[], flow: boolean): string => {
  if (!flow)
    return inserts.map((insert, i) => (i === 0 ? insert.text : insert.text.replace(/^\n/, ''))).join('');
  // Flow maps: the first insert carries the separator the map needs; the others need ", ".
  return inserts.map((insert, i) => (i === 0 ? insert.text : `, ${insert.text.replace(/^, /, '')}`)).join('');
};

/**
 * Points an existing HelmRelease at `target`, changing only the chart path, the version (if present) and
 * the run-id annotation; every other byte of `text` is kept.
 */
export const retargetHelmRelease = (text: string, target: ReleaseTarget): ReleaseEdit => {
  const release = readHelmRelease(text);
  if (!release.ok) return release;
  const splices = retargetSplices(text, release, target);
  if (splices.some((splice) => splice === undefined)) return invalid('cannot locate the fields to edit');
  const edited = applySplices(text, splices as Splice[]);
  const check = readHelmRelease(edited);
  const annotated =
    check.ok &&
    annotationsOf(target).every(([key, value]) => check.metadata.getIn(['annotations', key]) === value);
  if (!check.ok || !isAtTarget(check, target) || !annotated) {
    return invalid('the edited HelmRelease does not read back as intended');
  }
  return { ok: true, text: edited, object: check.doc.toJS() };
};
