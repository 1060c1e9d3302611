import { createHash } from 'node:crypto';
import path from 'node:path';
import git, { type AuthCallback, type HttpClient } from 'isomorphic-git';
import { GitHostError } from '../../../ports/git-host-error';
import { atomicWritesFs, type PlainGitFs } from './plain-git-fs';
import { countingHttp, gitHostErrorOf, type TransferStats } from './plain-git-http-client';
import { hasCommit, type ObjectContext } from './plain-git-objects';
import type { PlainGitTransport } from './plain-git-transport';

/** HTTP credentials: a token sent as the password, or a username and password. */
export type PlainGitAuth =
  | {
      readonly token: string;
      /** Bitbucket: `x-token-auth`; GitLab: `oauth2`; GitHub: `x-access-token`. @default 'oauth2' */
      readonly username?: string;
    }
  | { readonly username: string; readonly password: string };

export interface HttpTransportOptions {
  /** Smart-HTTP clone URL (`https://bitbucket.org/team/cluster.git`); credentials go in `auth`. */
  readonly url: string;
  /** Where the local work gitdir lives (Lambda: under /tmp); kept warm across invocations. */
  readonly workDir: string;
  readonly auth?: PlainGitAuth;
  /** isomorphic-git HTTP client. @default isomorphic-git/http/node */
  readonly http: HttpClient;
  /** @default 120000 */
  readonly timeoutMs?: number;
  /** Start the work gitdir afresh when it holds more packs than this (one per fetch). @default 64 */
  readonly maxPacks?: number;
}

const ZERO = '0'.repeat(40);

/**
 * A smart-HTTP remote (Bitbucket, GitLab, Gitea, CodeCommit, `git http-backend`): shallow,
 * single-branch fetches into a bare work gitdir, objects written there, then pushed.
 * The branch moves by the push's compare-and-swap: `onPrePush` cancels unless the advertised head is
 * the expected one, and receive-pack itself refuses the update when the ref moved in between.
 */
export class HttpTransport implements PlainGitTransport {
  readonly location: string;
  readonly objects: ObjectContext;
  readonly stats: TransferStats = { requests: 0, bytesSent: 0, bytesReceived: 0 };
  readonly #fs: PlainGitFs;
  readonly #url: string;
  readonly #http: HttpClient;
  readonly #onAuth: AuthCallback | undefined;
  readonly #maxPacks: number;
  #ready: Promise<void> | undefined;
  /** Fetches into one gitdir run one at a time (refs and the shallow file are rewritten by each). */
  #fetching: Promise<unknown> = Promise.resolve();

  constructor(fs: PlainGitFs, options: HttpTransportOptions) {
    const url = new URL(options.url);
    url.username = '';
    url.password = '';
    this.location = url.href;
    this.#url = options.url;
    this.#fs = fs;
    this.#http = countingHttp(options.http, this.stats, options.timeoutMs ?? 120_000);
    this.#onAuth = authCallback(options.auth);
    this.#maxPacks = options.maxPacks ?? 64;
    const key = createHash('sha256').update(this.location).digest('hex').slice(0, 16);
    this.objects = {
      fs: atomicWritesFs(fs),
      gitdir: path.join(options.workDir, `plain-git-${key}.git`),
      cache: {},
    };
  }

  async head(branch: string): Promise<string | undefined> {
    await this.#prepare();
    const advertised = await this.#remoteHead(branch);
    if (advertised === undefined) return undefined;
    // Warm work dir: the head is already here (fetched before, or pushed by us): no fetch at all.
    if (await hasCommit(this.objects, advertised)) return advertised;
    return this.#fetch(branch);
  }

  async load(branch: string, oid: string | undefined): Promise<void> {
    await this.#prepare();
    if (oid === undefined || (await hasCommit(this.objects, oid))) return;
    await this.#fetch(branch);
    if (!(await hasCommit(this.objects, oid))) {
      throw new GitHostError('BRANCH_MOVED', `${branch} on ${this.location} is no longer at ${oid}`);
    }
  }

  async publish(branch: string, expected: string | undefined | 'any', next: string): Promise<void> {
    await this.#prepare();
    try {
      await git.push({
        ...this.objects,
        http: this.#http,
        url: this.#url,
        ref: next,
        remoteRef: `refs/heads/${branch}`,
        force: expected === 'any',
        ...(this.#onAuth ? { onAuth: this.#onAuth } : {}),
        // Compare-and-swap, before any pack is sent: the head the server advertised must be ours.
        onPrePush: ({ remoteRef }) => expected === 'any' || remoteRef.oid === (expected ?? ZERO),
      });
    } catch (error) {
      throw gitHostErrorOf(error, this.location);
    }
    // A hint for the next fetch's negotiation ("have"), not a source of truth.
    await git.writeRef({ ...this.objects, ref: `refs/heads/${branch}`, value: next, force: true });
  }

  async #remoteHead(branch: string): Promise<string | undefined> {
    const ref = `refs/heads/${branch}`;
    try {
      const refs = await git.listServerRefs({
        http: this.#http,
        url: this.#url,
        prefix: ref,
        protocolVersion: 1,
        ...(this.#onAuth ? { onAuth: this.#onAuth } : {}),
      });
      return refs.find((r) => r.ref === ref)?.oid;
    } catch (error) {
      throw gitHostErrorOf(error, this.location);
    }
  }

  /**
   * Single-branch fetch. Cold (no local branch yet): depth 1, the tip's objects only. Warm: no depth,
   * offering the last known head as "have", so only the objects of the commits made since come (measured:
   * ~2 KB instead of ~1.8 MB on a 10,000-file repository). A depth-1 fetch would re-send the whole tip:
   * git's upload-pack does not subtract the "have"s when asked to deepen. The price: if the branch was
   * force-pushed to an unrelated history, the warm fetch brings that whole history once.
   */
  #fetch(branch: string): Promise<string | undefined> {
    const run = this.#fetching.then(async () => {
      try {
        const have = await git
          .resolveRef({ ...this.objects, ref: `refs/heads/${branch}` })
          .then((oid) => hasCommit(this.objects, oid))
          .catch(() => false);
        const { fetchHead } = await git.fetch({
          ...this.objects,
          http: this.#http,
          url: this.#url,
          ref: branch,
          singleBranch: true,
          ...(have ? {} : { depth: 1 }),
          tags: false,
          ...(this.#onAuth ? { onAuth: this.#onAuth } : {}),
        });
        if (!fetchHead) return undefined;
        // The local branch is what the next fetch offers as "have", so only new objects come.
        await git.writeRef({ ...this.objects, ref: `refs/heads/${branch}`, value: fetchHead, force: true });
        return fetchHead;
      } catch (error) {
        throw gitHostErrorOf(error, this.location);
      }
    });
    this.#fetching = run.catch(() => undefined);
    return run;
  }

  #prepare(): Promise<void> {
    this.#ready ??= this.#init().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #init(): Promise<void> {
    const { gitdir } = this.objects;
    const packs = await this.#fs.promises.readdir(path.join(gitdir, 'objects', 'pack')).catch(() => []);
    if (packs.filter((name) => name.endsWith('.pack')).length > this.#maxPacks) {
      // Every fetch adds a pack; reading slows with their number. Starting over costs one shallow fetch.
      await this.#fs.promises.rm(gitdir, { recursive: true, force: true });
    }
    await git.init({ ...this.objects, bare: true });
    // fetch records what it fetched under refs/remotes/origin/ and needs the refspec for it.
    await git.addRemote({ ...this.objects, remote: 'origin', url: this.location, force: true });
  }
}

const authCallback = (auth: PlainGitAuth | undefined): AuthCallback | undefined => {
  if (!auth) return undefined;
  const credentials =
    'token' in auth
      ? { username: auth.username ?? 'oauth2', password: auth.token }
      : { username: auth.username, password: auth.password };
  return () => credentials;
};
