/**
 * Every failure the pipeline can name carries a stable code and a disposition:
 * - `terminal`: the input is wrong; retrying cannot help (refuse, tag, do not retry);
 * - `retryable`: the world was briefly in the way (throttling, 5xx, branch moved); retry with backoff.
 */
export type Disposition = 'terminal' | 'retryable';

export class PromoterError extends Error {
  override readonly name: string = 'PromoterError';
  readonly code: string;
  readonly disposition: Disposition;
  /** Repository- or archive-relative path the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(
    code: string,
    disposition: Disposition,
    message: string,
    options: { cause?: unknown; path?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.disposition = disposition;
    this.path = options.path;
  }

  get retryable(): boolean {
    return this.disposition === 'retryable';
  }
}

export const isPromoterError = (error: unknown): error is PromoterError => error instanceof PromoterError;

/** Classifies anything thrown: our own errors keep their disposition, anything else is retryable. */
export const dispositionOf = (error: unknown): Disposition =>
  isPromoterError(error) ? error.disposition : 'retryable';
