import { isMap, isScalar, isSeq, parseAllDocuments, type YAMLMap, type YAMLSeq } from 'yaml';
import { applySplices, insertPair, insertSeqItem } from './yaml-splice';

/**
 * environments/<env>/kustomization.yaml: the list of the environment's releases, built by Flux's
 * kustomize-controller (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/resource/).
 * chart-promoter only ever adds missing `<name>.yaml` entries, each at its sorted place; other entries,
 * fields and comments stay as written (a human may add patches, namespaces, labels...).
 */
export const KUSTOMIZATION_API_VERSION = 'kustomize.config.k8s.io/v1beta1';

export type KustomizationEdit =
  | { readonly ok: true; readonly text: string; readonly added: readonly string[] }
  | { readonly ok: false; readonly message: string };

export const newKustomizationText = (resources: readonly string[]): string =>
  `# Managed by chart-promoter: it adds one entry per release and never removes any. Add your own.
apiVersion: ${KUSTOMIZATION_API_VERSION}
kind: Kustomization
resources:
${[...new Set(resources)]
  .sort()
  .map((resource) => `  - ${resource}\n`)
  .join('')}`;

const normalise = (resource: string): string => resource.replace(/^\.\//, '');

type Located = { ok: true; root: YAMLMap; resources: YAMLSeq | undefined } | { ok: false; message: string };

const locate = (text: string): Located => {
  const docs = parseAllDocuments(text);
  const doc = docs[0];
  if (docs.length !== 1 || !doc)
    return { ok: false, message: `expected one YAML document, found ${docs.length}` };
  if (doc.errors.length > 0) return { ok: false, message: `not valid YAML: ${doc.errors[0]?.message}` };
  if (!isMap(doc.contents)) return { ok: false, message: 'not a YAML map' };
  const root = doc.contents;
  const kind = root.get('kind');
  const apiVersion = root.get('apiVersion');
  if (
    (kind ?? 'Kustomization') !== 'Kustomization' ||
    (apiVersion ?? KUSTOMIZATION_API_VERSION) !== KUSTOMIZATION_API_VERSION
  ) {
    return { ok: false, message: `not a ${KUSTOMIZATION_API_VERSION} Kustomization` };
  }
  const resources = root.get('resources', true);
  if (resources !== undefined && !isSeq(resources)) return { ok: false, message: 'resources is not a list' };
  return { ok: true, root, resources };
};

const entriesOf = (seq: YAMLSeq): string[] =>
  seq.items.map((item) => (isScalar(item) ? normalise(String(item.value)) : ''));

/** Adds one resource at its sorted place (after the last entry that sorts before it). */
const addOne = (text: string, resource: string): string | undefined => {
  const located = locate(text);
  if (!located.ok) return undefined;
  if (!located.resources) {
    const splice = insertPair(text, located.root, 'resources', [resource]);
    return splice && applySplices(text, [splice]);
  }
  const entries = entriesOf(located.resources);
  const index = entries.filter((entry) => entry < resource).length;
  const splice = insertSeqItem(text, located.resources, index, resource);
  return splice && applySplices(text, [splice]);
};

/** Adds every missing `resources` (sorted among the existing entries); unchanged text when none is missing. */
export const addKustomizationResources = (text: string, resources: readonly string[]): KustomizationEdit => {
  const located = locate(text);
  if (!located.ok) return located;
  const present = new Set(located.resources ? entriesOf(located.resources) : []);
  const missing = [...new Set(resources)].filter((resource) => !present.has(resource)).sort();
  let edited: string | undefined = text;
  for (const resource of missing) {
    edited = edited === undefined ? undefined : addOne(edited, resource);
  }
  if (edited === undefined) return { ok: false, message: 'cannot locate where to add resources' };
  const check = locate(edited);
  const after = check.ok && check.resources ? new Set(entriesOf(check.resources)) : new Set<string>();
  if (missing.some((resource) => !after.has(resource))) {
    return { ok: false, message: 'the edited kustomization does not read back as intended' };
  }
  return { ok: true, text: edited, added: missing };
};
