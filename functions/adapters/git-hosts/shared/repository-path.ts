import type { FileChange } from '../../../ports/git-host';
import { GitHostError } from '../../../ports/git-host-error';

/** Paths must be repository-relative and plain; git itself would refuse the rest. */
export const assertPlainPath = (change: FileChange): void => {
  const parts = change.path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p === '.git')) {
    throw new GitHostError('REQUEST_REJECTED', `not a plain repository path: ${JSON.stringify(change.path)}`);
  }
};
