/**
 * How one uploaded object ended (contract: every upload ends as a commit, a documented refusal, an
 * ignore with its reason, or a retry that ends in the dead-letter queue — never silently dropped).
 */
export const UPLOAD_STATUSES = [
  'promoted',
  'unchanged',
  'superseded',
  'refused',
  'ignored',
  'retry',
] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

/** One reason an upload was refused (intake can find several in one archive). */
export interface OutcomeRefusal {
  readonly code: string;
  readonly message: string;
  readonly path?: string;
}

export interface UploadOutcome {
  readonly status: UploadStatus;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly runId: string;
  readonly chart?: string;
  readonly version?: string;
  readonly environment?: string;
  /** The commit that carries the promotion (promoted), absent otherwise. */
  readonly commit?: string;
  /** Refusal / retry / ignore code (stable, documented in the README); the first, when several. */
  readonly code?: string;
  readonly message?: string;
  /** Archive- or repository-relative path a refusal is about. */
  readonly path?: string;
  /**
   * Every refusal, when intake found more than one (the first is also `code`/`message`/`path`, which
   * tags, metrics and saved queries key on). Absent: `code`/`message`/`path` are the whole story.
   */
  readonly refusals?: readonly OutcomeRefusal[];
  readonly durationMs: number;
}

/** Every refusal of an outcome (none unless it carries a code). */
export const refusalsOf = (outcome: UploadOutcome): readonly OutcomeRefusal[] => {
  if (outcome.refusals !== undefined && outcome.refusals.length > 0) return outcome.refusals;
  if (outcome.code === undefined) return [];
  return [
    {
      code: outcome.code,
      message: outcome.message ?? '',
      ...(outcome.path === undefined ? {} : { path: outcome.path }),
    },
  ];
};
