/**
 * Stable refusal codes for chart archives (contract: documented in the README; never reuse a code
 * for another meaning). A refusal is an outcome, not a crash: it is terminal and never retried.
 */
export const REFUSAL_CODES = [
  'ARCHIVE_CORRUPT',
  'ARCHIVE_TOO_LARGE',
  'UNSAFE_PATH',
  'UNSAFE_ENTRY',
  'CHART_YAML_MISSING',
  'CHART_YAML_INVALID',
  'CHART_NAME_INVALID',
  'CHART_VERSION_INVALID',
  'CHART_DEPENDENCY_MISSING',
  'CHART_NOT_INSTALLABLE',
  'VALUES_INVALID',
  'VALUES_SCHEMA_VIOLATION',
  'RENDER_FAILED',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
  /** Archive-relative path of the entry the refusal is about, when there is one. */
  readonly path?: string;
}

/** A refusal that keeps its code's literal type (a `RENDER_FAILED` one is a renderer's `RenderRefusal`). */
export const refusal = <Code extends RefusalCode>(
  code: Code,
  message: string,
  path?: string,
): Refusal & { readonly code: Code } => (path === undefined ? { code, message } : { code, message, path });
