import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { localS3Client } from '../../functions/local/s3-endpoint';
import { CliError } from '../command';
import { parseSince } from '../runs/since';
import { objectTagOutcomes } from './object-tag-outcomes';
import type { OutcomeSource } from './outcome-source';
import { runLogOutcomes } from './run-log-outcomes';

/** How long `--wait` waits by default. */
export const DEFAULT_WAIT_TIMEOUT = '10m';

/** The upload flags `push` and `values set` share. */
export interface UploadFlags {
  readonly bucket?: string;
  readonly endpoint?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
  readonly workdir?: string;
}

export interface UploadTarget {
  readonly bucket: string;
  /** `--endpoint`: an S3-compatible endpoint (the local runtime's), else the SDK's chain. */
  readonly endpoint?: string;
  readonly wait: boolean;
  /** How long `--wait` waits, and the duration as the user wrote it (for messages). */
  readonly timeoutMs: number;
  readonly timeout: string;
  /** `--workdir`: `--wait` reads the local run log there instead of the object's tags. */
  readonly workdir?: string;
}

/**
 * The shared upload flags, checked before anything is read or uploaded: the bucket (`--bucket`, the
 * configured default, or "charts" for a local endpoint), `--timeout` and `--workdir` only with
 * `--wait`, the duration, and a work dir that exists.
 */
export const uploadTarget = async (
  flags: UploadFlags,
  defaultBucket: string | undefined,
): Promise<UploadTarget> => {
  const bucket = flags.bucket ?? defaultBucket ?? (flags.endpoint ? 'charts' : undefined);
  if (!bucket) throw new CliError('USAGE', 'no bucket: pass --bucket or set CHART_PROMOTER_BUCKET');
  if (!flags.wait && (flags.timeout !== undefined || flags.workdir !== undefined))
    throw new CliError('USAGE', '--timeout and --workdir go with --wait');
  const timeout = flags.timeout ?? DEFAULT_WAIT_TIMEOUT;
  const timeoutMs = parseSince(timeout, '--timeout');
  const workdir = flags.workdir === undefined ? undefined : resolve(flags.workdir);
  if (workdir !== undefined && !(await stat(workdir).catch(() => undefined))?.isDirectory())
    throw new CliError('WORKDIR_NOT_FOUND', `no work dir ${workdir} (the --workdir of chart-promoter local)`);
  return {
    bucket,
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    wait: flags.wait === true,
    timeoutMs,
    timeout,
    ...(workdir === undefined ? {} : { workdir }),
  };
};

/**
 * The S3 client the upload goes through and, with `--wait`, where its outcome will be read (the
 * local run log with `--workdir`, else the object's tags through the same client).
 */
export const uploadClients = (
  target: UploadTarget,
): { readonly client: S3Client; readonly source: OutcomeSource | undefined } => {
  const client = target.endpoint ? localS3Client(target.endpoint) : new S3Client({});
  const source = !target.wait
    ? undefined
    : target.workdir
      ? runLogOutcomes(target.workdir)
      : objectTagOutcomes(client);
  return { client, source };
};
