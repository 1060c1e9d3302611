import type { Refusal } from './refusal';

/**
 * Thrown inside the archive pipeline to abort it at once (a limit was crossed): destroying the
 * streams stops inflating. Never escapes `readChartArchive`, which turns it back into its refusal.
 */
export class IntakeStop extends Error {
  override readonly name = 'IntakeStop';
  readonly refusal: Refusal;

  constructor(refusal: Refusal) {
    super(refusal.message);
    this.refusal = refusal;
  }
}

/** The upload itself failed to arrive (an I/O error of the source, not bad content): retryable. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}
