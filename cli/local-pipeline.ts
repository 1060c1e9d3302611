import { gitHostDescriptor } from '../functions/adapters/git-hosts/registry';
import { clusterSeed, type LocalRuntime, startLocalRuntime } from '../functions/local/local-runtime';
import type { PromotionRecord } from '../functions/local/promotion-record';
import type { UploadOutcome } from '../functions/pipeline/upload-outcome';
import type { KeyringSource } from '../functions/ports/keyring-source';
import type { CliDependencies } from './command';
import { HOST_KINDS, type StandInKind, startHostStandIn } from './host-stand-ins';

export interface LocalPipelineOptions {
  readonly workdir: string;
  readonly port?: number;
  readonly render: boolean;
  readonly onOutcomes?: (outcomes: readonly UploadOutcome[]) => void;
  readonly feedbackPort?: number;
  /** Promotion board port (0: a free one). */
  readonly boardPort?: number;
  readonly onPromotions?: (records: readonly PromotionRecord[]) => void;
  /** Seed a policy that requires provenance, verified with this keyring (the demo signs its charts). */
  readonly provenance?: { readonly keyring: KeyringSource };
  /**
   * The cluster repository's host: `git` (default), the plain-git repository in the work dir; or a
   * local stand-in of that host's API (`--host bitbucket|gitlab|github`), over its own bare repository
   * in a temporary directory that lasts as long as the runtime.
   */
  readonly host?: LocalHostKind;
}

/** What `--host` accepts. */
export const LOCAL_HOST_KINDS = ['git', ...HOST_KINDS] as const;
export type LocalHostKind = (typeof LOCAL_HOST_KINDS)[number];

export const isLocalHostKind = (value: string): value is LocalHostKind =>
  (LOCAL_HOST_KINDS as readonly string[]).includes(value);

/** The runtime, and where its cluster repository is served from when it is a stand-in. */
export type LocalPipeline = LocalRuntime & { readonly hostDescription?: string };

/**
 * The embedded runtime as the CLI starts it: helm render check on unless `--no-render`; with a `host`
 * other than `git`, that host's stand-in is started, seeded as the runtime would seed its own
 * repository, and the runtime commits through the host's adapter (built by its registry descriptor,
 * as a Lambda builds it); closing the runtime stops the stand-in.
 */
export const startLocalPipeline = async (
  deps: Pick<CliDependencies, 'renderer'>,
  options: LocalPipelineOptions,
): Promise<LocalPipeline> => {
  const runtimeOptions = {
    workdir: options.workdir,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.render ? { renderer: await deps.renderer() } : {}),
    ...(options.onOutcomes ? { onOutcomes: options.onOutcomes } : {}),
    ...(options.feedbackPort === undefined ? {} : { feedbackPort: options.feedbackPort }),
    ...(options.boardPort === undefined ? {} : { boardPort: options.boardPort }),
    ...(options.onPromotions ? { onPromotions: options.onPromotions } : {}),
    ...(options.provenance ? { requireProvenance: true, keyring: options.provenance.keyring } : {}),
  };
  if (options.host === undefined || options.host === 'git') return startLocalRuntime(runtimeOptions);
  const standIn = await startHostStandIn(options.host as StandInKind, clusterSeed(runtimeOptions));
  try {
    const wiring = await gitHostDescriptor(standIn.kind).create(standIn.settings(false));
    const runtime = await startLocalRuntime({
      ...runtimeOptions,
      branch: standIn.branch,
      clusterHost: { wiring, repoDir: standIn.repoDir },
    });
    return {
      ...runtime,
      hostDescription: standIn.description,
      close: async () => {
        try {
          await runtime.close();
        } finally {
          await standIn.close();
        }
      },
    };
  } catch (error) {
    await standIn.close().catch(() => {});
    throw error;
  }
};

/** Waits until every key has a final outcome, or rejects after `timeoutMs`. */
export const outcomesFor = (
  keys: readonly string[],
  seen: Map<string, UploadOutcome>,
  subscribe: (listener: () => void) => void,
  timeoutMs: number,
): Promise<UploadOutcome[]> =>
  new Promise((resolve, reject) => {
    const check = (): boolean => {
      if (!keys.every((key) => seen.has(key))) return false;
      clearTimeout(timer);
      resolve(keys.map((key) => seen.get(key)!));
      return true;
    };
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `no outcome within ${timeoutMs / 1000} s for: ${keys.filter((k) => !seen.has(k)).join(', ')}`,
          ),
        ),
      timeoutMs,
    );
    if (!check()) subscribe(check);
  });
