import { parse } from 'yaml';
import { validateHelmRelease } from './flux-schema';
import {
  isAtTarget,
  type NewRelease,
  newHelmReleaseText,
  readHelmRelease,
  retargetHelmRelease,
} from './helm-release-manifest';
import {
  PREVIOUS_ISSUES_ANNOTATION,
  PREVIOUS_UPLOADED_AT_ANNOTATION,
  PREVIOUS_VERSION_ANNOTATION,
  readReleaseState,
  rewrittenAnnotation,
} from './release-annotations';

export type ReleasePlan =
  | {
      readonly ok: true;
      readonly status: 'created' | 'updated' | 'unchanged';
      /** The text to write; absent when unchanged. */
      readonly text?: string;
      readonly previousVersion?: string;
    }
  | {
      readonly ok: false;
      readonly code: 'RELEASE_MANIFEST_INVALID' | 'RELEASE_SCHEMA_VIOLATION';
      readonly message: string;
    };

const schemaChecked = (object: unknown, plan: ReleasePlan): ReleasePlan => {
  const check = validateHelmRelease(object);
  return check.ok
    ? plan
    : {
        ok: false,
        code: 'RELEASE_SCHEMA_VIOLATION',
        message: `HelmRelease fails the Flux v2 CRD schema: ${check.message}`,
      };
};

/** The HelmRelease text to write for `release`, given the existing file's text (if any). */
export const planRelease = (existing: string | undefined, release: NewRelease): ReleasePlan => {
  if (existing === undefined) {
    const text = newHelmReleaseText(release);
    return schemaChecked(parse(text), { ok: true, status: 'created', text });
  }
  const current = readHelmRelease(existing);
  if (!current.ok) return { ok: false, code: 'RELEASE_MANIFEST_INVALID', message: current.message };
  const previousVersion = current.version ?? current.chartPath.split('/').at(-1);
  const base = previousVersion === undefined ? {} : { previousVersion };
  if (isAtTarget(current, release)) return { ok: true, status: 'unchanged', ...base };
  // Every change of the chart reference remembers where it came from, the default rollback target,
  // and what described that version (its upload time, its issue keys): a rollback puts them back.
  const annotations =
    previousVersion === undefined
      ? release.annotations
      : {
          ...release.annotations,
          [PREVIOUS_VERSION_ANNOTATION]: previousVersion,
          ...previousDescription(existing),
        };
  const edit = retargetHelmRelease(existing, { ...release, ...(annotations ? { annotations } : {}) });
  if (!edit.ok) return { ok: false, code: 'RELEASE_MANIFEST_INVALID', message: edit.message };
  return schemaChecked(edit.object, { ok: true, status: 'updated', text: edit.text, ...base });
};

/** `previous-uploaded-at` and `previous-issues`: what the release's current annotations say. */
const previousDescription = (existing: string): Record<string, string> => {
  const state = readReleaseState(existing);
  if (!state.ok) return {};
  return {
    ...rewrittenAnnotation(PREVIOUS_UPLOADED_AT_ANNOTATION, state.uploadedAt, state.annotationKeys),
    ...rewrittenAnnotation(PREVIOUS_ISSUES_ANNOTATION, state.issues, state.annotationKeys),
  };
};
