import { type Disposition, PromoterError } from '../errors';

export type GitHostErrorCode =
  /** The branch moved between snapshot and commit (compare-and-swap failed): re-read, re-plan. */
  | 'BRANCH_MOVED'
  /** Primary or secondary rate limit still in force after the client's own waits. */
  | 'RATE_LIMITED'
  /** 5xx, timeouts, dropped connections. */
  | 'HOST_UNAVAILABLE'
  /** Credentials missing, wrong or lacking permission. */
  | 'AUTH_FAILED'
  /** Repository or branch does not exist. */
  | 'NOT_FOUND'
  /** The host refused the request as invalid (e.g. a tree too large); retrying the same will not help. */
  | 'REQUEST_REJECTED';

const DISPOSITIONS: Record<GitHostErrorCode, Disposition> = {
  BRANCH_MOVED: 'retryable',
  RATE_LIMITED: 'retryable',
  HOST_UNAVAILABLE: 'retryable',
  AUTH_FAILED: 'terminal',
  NOT_FOUND: 'terminal',
  REQUEST_REJECTED: 'terminal',
};

export class GitHostError extends PromoterError {
  override readonly name = 'GitHostError';
  declare readonly code: GitHostErrorCode;

  constructor(code: GitHostErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, DISPOSITIONS[code], message, options);
  }
}
