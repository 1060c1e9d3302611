import { type LocalRuntime, startLocalRuntime } from '../functions/local/local-runtime';
import type { PromotionRecord } from '../functions/local/promotion-record';
import type { UploadOutcome } from '../functions/pipeline/upload-outcome';
import type { KeyringSource } from '../functions/ports/keyring-source';
import type { CliDependencies } from './command';

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
}

/** The embedded runtime as the CLI starts it: helm render check on unless `--no-render`. */
export const startLocalPipeline = async (
  deps: Pick<CliDependencies, 'renderer'>,
  options: LocalPipelineOptions,
): Promise<LocalRuntime> =>
  startLocalRuntime({
    workdir: options.workdir,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.render ? { renderer: await deps.renderer() } : {}),
    ...(options.onOutcomes ? { onOutcomes: options.onOutcomes } : {}),
    ...(options.feedbackPort === undefined ? {} : { feedbackPort: options.feedbackPort }),
    ...(options.boardPort === undefined ? {} : { boardPort: options.boardPort }),
    ...(options.onPromotions ? { onPromotions: options.onPromotions } : {}),
    ...(options.provenance ? { requireProvenance: true, keyring: options.provenance.keyring } : {}),
  });

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
