/**
 * How one uploaded object ended (contract: every upload ends as a commit, a documented refusal, an
 * ignore with its reason, or a retry that ends in the dead-letter queue — never silently dropped).
 */
export type UploadStatus = 'promoted' | 'unchanged' | 'superseded' | 'refused' | 'ignored' | 'retry';

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
  /** Refusal / retry / ignore code (stable, documented in the README). */
  readonly code?: string;
  readonly message?: string;
  /** Archive- or repository-relative path a refusal is about. */
  readonly path?: string;
  readonly durationMs: number;
}
