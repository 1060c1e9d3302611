import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';

/**
 * The real bare git repository behind the fake GitHub. Reads go through the git CLI (always async:
 * this runs inside the HTTP server's event loop); new blobs and trees are written as loose objects
 * directly (https://git-scm.com/book/en/v2/Git-Internals-Git-Objects), and so are commits: a create-tree
 * call of a 100-chart change set writes thousands of objects, 20 racing writers make hundreds of
 * requests, and one git process per object is far too slow on a shared two-core machine. Objects are
 * immutable, so what is known about them is cached. `git fsck --strict` in the tests proves the
 * written objects well-formed; branch moves stay with `git update-ref` (its lock is the CAS).
 */

const deflateAsync = promisify(deflate);

export const ZERO_SHA = '0'.repeat(40);

export interface TreeEntry {
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly sha: string;
  readonly name: string;
  /** Blob size in bytes (undefined for trees). */
  readonly size: number | undefined;
}

export interface Identity {
  readonly name: string;
  readonly email: string;
  /** ISO 8601 */
  readonly date: string;
}

export interface CommitObject {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: Identity;
  readonly committer: Identity;
  readonly message: string;
}

export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} exited ${exitCode}: ${stderr.trim()}`);
  }
}

const SERVER_IDENTITY = { name: 'GitHub', email: 'noreply@github.com' };

export class GitStore {
  // Git objects are immutable, so reads are cached by id.
  private readonly treeCache = new Map<string, readonly TreeEntry[]>();
  private readonly commitCache = new Map<string, Promise<CommitObject>>();
  private readonly blobCache = new Map<string, Promise<Buffer>>();
  private readonly types = new Map<string, string>();
  private readonly blobSizes = new Map<string, number>();
  private branchesSeen = false;

  constructor(readonly dir: string) {}

  static async init(dir: string, branch: string): Promise<GitStore> {
    await mkdir(dir, { recursive: true });
    const store = new GitStore(dir);
    await store.run(['init', '--bare', '--quiet', `--initial-branch=${branch}`]);
    return store;
  }

  /** Runs git in the repository; resolves stdout as bytes, rejects with GitCommandError. */
  run(args: readonly string[], options: { input?: Uint8Array | string; env?: NodeJS.ProcessEnv } = {}) {
    return new Promise<Buffer>((resolve, reject) => {
      const child = spawn('git', ['-C', this.dir, ...args], {
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(out));
        else reject(new GitCommandError(args, code, Buffer.concat(err).toString('utf8')));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });
  }

  async text(args: readonly string[]): Promise<string> {
    return (await this.run(args)).toString('utf8').trim();
  }

  /** Writes a loose object (idempotent, atomic via rename) and returns its id. */
  async writeObject(type: 'blob' | 'tree' | 'commit', body: Uint8Array): Promise<string> {
    const header = Buffer.from(`${type} ${body.byteLength}\0`);
    const sha = createHash('sha1').update(header).update(body).digest('hex');
    this.types.set(sha, type);
    if (type === 'blob') this.blobSizes.set(sha, body.byteLength);
    const file = path.join(this.dir, 'objects', sha.slice(0, 2), sha.slice(2));
    if (await exists(file)) return sha;
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, await deflateAsync(Buffer.concat([header, body])));
    await rename(temp, file);
    return sha;
  }

  /** Git tree body from entries (sorted the way git sorts: directories compare as `name/`). */
  async writeTree(entries: readonly Omit<TreeEntry, 'size'>[]): Promise<string> {
    for (const e of entries) this.types.set(e.sha, e.type);
    const key = (e: Omit<TreeEntry, 'size'>) => Buffer.from(e.type === 'tree' ? `${e.name}/` : e.name);
    const sorted = [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
    const body = Buffer.concat(
      sorted.flatMap((e) => [
        Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`),
        Buffer.from(e.sha, 'hex'),
      ]),
    );
    const sha = await this.writeObject('tree', body);
    const sized = sorted.map((e) => ({
      ...e,
      size: e.type === 'blob' ? this.blobSizes.get(e.sha) : undefined,
    }));
    if (sized.every((e) => e.type !== 'blob' || e.size !== undefined)) this.treeCache.set(sha, sized);
    return sha;
  }

  async objectType(sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const known = this.types.get(sha);
    if (known) return known;
    const type = await this.text(['cat-file', '-t', sha]).catch(() => undefined);
    if (type) this.types.set(sha, type);
    return type;
  }

  async readTree(sha: string): Promise<readonly TreeEntry[]> {
    const cached = this.treeCache.get(sha);
    if (cached) return cached;
    const out = (await this.run(['ls-tree', '-l', '-z', sha])).toString('utf8');
    const entries = out
      .split('\0')
      .filter((line) => line.length > 0)
      .map((line): TreeEntry => {
        const tab = line.indexOf('\t');
        const [mode, type, id, size] = line.slice(0, tab).split(/\s+/);
        return {
          mode: mode === '40000' ? '040000' : mode!,
          type: type as TreeEntry['type'],
          sha: id!,
          name: line.slice(tab + 1),
          size: size === '-' ? undefined : Number(size),
        };
      });
    for (const e of entries) {
      this.types.set(e.sha, e.type);
      if (e.size !== undefined) this.blobSizes.set(e.sha, e.size);
    }
    this.treeCache.set(sha, entries);
    return entries;
  }

  /** The entry at a slash-separated path below `tree`, if there is one. */
  async entryAt(tree: string, path: string): Promise<TreeEntry | undefined> {
    const parts = path.split('/');
    let current = tree;
    for (const [index, part] of parts.entries()) {
      const entry = (await this.readTree(current)).find((e) => e.name === part);
      if (!entry || index === parts.length - 1) return entry;
      if (entry.type !== 'tree') return undefined;
      current = entry.sha;
    }
    return undefined;
  }

  readBlob(sha: string): Promise<Buffer> {
    return cached(this.blobCache, sha, () => this.run(['cat-file', 'blob', sha]));
  }

  readCommit(sha: string): Promise<CommitObject> {
    return cached(this.commitCache, sha, () => this.readCommitUncached(sha));
  }

  private async readCommitUncached(sha: string): Promise<CommitObject> {
    const raw = (await this.run(['cat-file', 'commit', sha])).toString('utf8');
    const split = raw.indexOf('\n\n');
    const headers = raw.slice(0, split).split('\n');
    const field = (name: string) =>
      headers.filter((h) => h.startsWith(`${name} `)).map((h) => h.slice(name.length + 1));
    for (const parent of field('parent')) this.types.set(parent, 'commit');
    this.types.set(field('tree')[0]!, 'tree');
    return {
      sha,
      tree: field('tree')[0]!,
      parents: field('parent'),
      author: parseIdentity(field('author')[0]!),
      committer: parseIdentity(field('committer')[0]!),
      message: raw.slice(split + 2),
    };
  }

  async resolveBranch(branch: string): Promise<string | undefined> {
    // update-ref writes loose refs by atomic rename, so reading the file is safe and spawns nothing.
    const loose = await readFile(path.join(this.dir, 'refs', 'heads', branch), 'utf8').catch(() => undefined);
    if (loose && /^[0-9a-f]{40}\n?$/.test(loose)) return loose.trim();
    return this.text(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]).catch(
      () => undefined,
    );
  }

  /** False for a repository without commits: GitHub's "empty repository". Never empty again once written. */
  async hasBranches(): Promise<boolean> {
    if (this.branchesSeen) return true;
    const listed = await this.text(['for-each-ref', '--count=1', '--format=%(refname)', 'refs/heads']);
    this.branchesSeen = listed.length > 0;
    return this.branchesSeen;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    // Walk parents through the commit cache (racing writers make short histories); git for the rest.
    const seen = new Set<string>();
    const queue = [descendant];
    while (queue.length > 0 && seen.size < 500) {
      const sha = queue.shift()!;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(await this.readCommit(sha)).parents);
    }
    if (queue.length === 0) return false;
    return this.run(['merge-base', '--is-ancestor', ancestor, descendant]).then(
      () => true,
      () => false,
    );
  }

  /** Compare-and-swap: moves the branch only if it still points at `expected` (ZERO_SHA: must not exist). */
  async updateRef(branch: string, next: string, expected?: string): Promise<boolean> {
    const args = ['update-ref', `refs/heads/${branch}`, next];
    if (expected !== undefined) args.push(expected);
    return this.run(args).then(
      () => true,
      () => false,
    );
  }

  /** Writes a commit object (as `git commit-tree` would) and returns its id. */
  async commitTree(request: {
    tree: string;
    parents: readonly string[];
    message: string;
    author?: Partial<Identity>;
    committer?: Partial<Identity>;
  }): Promise<string> {
    // Without author/committer GitHub uses the authenticated identity (for an App: the bot account).
    const now = new Date().toISOString();
    const author = { ...SERVER_IDENTITY, date: now, ...request.author };
    const committer = { ...SERVER_IDENTITY, date: now, ...(request.committer ?? request.author) };
    const body = [
      `tree ${request.tree}`,
      ...request.parents.map((p) => `parent ${p}`),
      `author ${formatIdentity(author)}`,
      `committer ${formatIdentity(committer)}`,
      '',
      request.message,
    ].join('\n');
    const sha = await this.writeObject('commit', Buffer.from(body, 'utf8'));
    this.commitCache.set(
      sha,
      Promise.resolve({
        sha,
        tree: request.tree,
        parents: [...request.parents],
        author: { ...author, date: isoSeconds(new Date(author.date)) },
        committer: { ...committer, date: isoSeconds(new Date(committer.date)) },
        message: request.message,
      }),
    );
    return sha;
  }
}

const cached = <T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> => {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
};

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d+Z$/, 'Z');

const parseIdentity = (line: string): Identity => {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!match) return { name: line, email: '', date: isoSeconds(new Date(0)) };
  return { name: match[1]!, email: match[2]!, date: isoSeconds(new Date(Number(match[3]) * 1000)) };
};

/** `Name <email> <unix seconds> <+hhmm>`, keeping the offset an ISO 8601 date carries. */
const formatIdentity = (identity: Identity): string => {
  const seconds = Math.floor(new Date(identity.date).getTime() / 1000);
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(identity.date);
  const zone = offset ? `${offset[1]}${offset[2]}${offset[3]}` : '+0000';
  return `${identity.name.replace(/[<>\n]/g, '')} <${identity.email.replace(/[<>\n]/g, '')}> ${seconds} ${zone}`;
};
