import httpNode from 'isomorphic-git/http/node';
import type {
  ChangeSet,
  CommitResult,
  GitHost,
  RepoSnapshot,
  SnapshotRequest,
} from '../../../ports/git-host';
import type { PlainGitFs } from './plain-git-fs';
import { HttpTransport, type HttpTransportOptions } from './plain-git-http';
import type { TransferStats } from './plain-git-http-client';
import { LocalPathTransport } from './plain-git-local';
import { readSnapshot, writeChangeSet } from './plain-git-objects';
import type { PlainGitTransport } from './plain-git-transport';

export type { PlainGitFs } from './plain-git-fs';
export type { HttpTransportOptions, PlainGitAuth } from './plain-git-http';
export type { TransferStats } from './plain-git-http-client';

/** Where the cluster repository is: a smart-HTTP remote, or a bare repository on a local path. */
export type PlainGitRemote =
  | (Omit<HttpTransportOptions, 'http'> & { readonly http?: HttpTransportOptions['http'] })
  | { readonly path: string };

export interface PlainGitHostOptions {
  readonly remote: PlainGitRemote;
  /** `node:fs` (or any fs with the same promise API). */
  readonly fs: PlainGitFs;
  /** Author and committer of the commits. @default chart-promoter <chart-promoter@users.noreply.local> */
  readonly author?: { readonly name: string; readonly email: string };
  /** Commit time (pass `() => clock.now()` of the Clock port). @default () => new Date() */
  readonly now?: () => Date;
}

const DEFAULT_AUTHOR = { name: 'chart-promoter', email: 'chart-promoter@users.noreply.local' };

/**
 * GitHost for any plain git repository, with isomorphic-git (pure JavaScript: no git binary in Lambda).
 *
 * Plain git has no pull requests: `openPullRequest` is absent. An environment whose policy asks for a
 * pull request needs a host with pull requests (the GitHub adapter), or gets a branch only
 * (`setBranch`), for a human to open the request in the host's UI.
 */
export class PlainGitHost implements GitHost {
  readonly kind = 'git' as const;
  readonly location: string;
  readonly #transport: PlainGitTransport;
  readonly #author: { readonly name: string; readonly email: string };
  readonly #now: () => Date;

  constructor(options: PlainGitHostOptions) {
    const { remote, fs } = options;
    this.#transport =
      'path' in remote
        ? new LocalPathTransport(fs, remote.path)
        : new HttpTransport(fs, { ...remote, http: remote.http ?? httpNode });
    this.location = this.#transport.location;
    this.#author = options.author ?? DEFAULT_AUTHOR;
    this.#now = options.now ?? (() => new Date());
  }

  /** Requests and bytes moved over HTTP so far (all zero for a local path). */
  stats(): TransferStats {
    const transport = this.#transport;
    return transport instanceof HttpTransport
      ? { ...transport.stats }
      : { requests: 0, bytesSent: 0, bytesReceived: 0 };
  }

  async snapshot(branch: string, request: SnapshotRequest): Promise<RepoSnapshot> {
    const head = await this.#transport.head(branch);
    return readSnapshot(this.#transport.objects, head, request);
  }

  async commit(
    branch: string,
    expectedHead: string | undefined,
    changeSet: ChangeSet,
  ): Promise<CommitResult> {
    await this.#transport.load(branch, expectedHead);
    const sha = await writeChangeSet(this.#transport.objects, expectedHead, changeSet, {
      ...this.#author,
      timestamp: this.#now().getTime(),
    });
    await this.#transport.publish(branch, expectedHead, sha);
    return { sha, parent: expectedHead };
  }

  setBranch(branch: string, sha: string): Promise<void> {
    return this.#transport.publish(branch, 'any', sha);
  }
}
