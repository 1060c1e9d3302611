import { GetObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { MAX_VALUE_CHARS } from '../../functions/adapters/s3-tags';
import { readOutcomeTags } from '../../functions/pipeline/outcome-tags';
import { CliError } from '../command';
import type { ObservedOutcome, OutcomeSource, PushedObject } from './outcome-source';

/** Answers that no amount of waiting fixes: the caller's credentials, region or permissions. */
const ENVIRONMENT_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'CredentialsProviderError',
  'NoSuchBucket',
]);
/** The object (version) is gone: deleted before the pipeline tagged it. */
const GONE = new Set(['NoSuchKey', 'NoSuchVersion', 'NotFound']);

const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : typeof error === 'string' ? error : 'Error';

/**
 * The outcome tags the pipeline puts on the object (functions/pipeline/outcome-tags.ts), read with
 * GetObjectTagging (the exact version when the bucket is versioned; the caller needs
 * s3:GetObjectTagging, plus s3:GetObjectVersionTagging for a version):
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html
 * Works wherever the pipeline runs (deployed, or `chart-promoter local`, which tags its s3rver
 * objects the same way). s3rver keeps an overwritten object's tags (they are a separate subresource
 * file in its store), so the run id tagged before the upload is remembered and tags still carrying
 * it are not taken for this upload's. Retries and ignored objects are never tagged: they show as
 * "not yet" until the timeout. Tags hold every refusal code but only the first message, cut at 256
 * characters: the outcome says where the rest is.
 */
export const objectTagOutcomes = (client: S3Client): OutcomeSource => {
  let problem: string | undefined;
  /** The run id tagged before the upload: tags that still carry it are not this upload's. */
  let stale: string | undefined;

  /** The object's tags, undefined while transiently unreadable; `gone` when there is no object. */
  const tagsOf = async (object: PushedObject): Promise<Record<string, string> | 'gone' | undefined> => {
    try {
      const answer = await client.send(
        new GetObjectTaggingCommand({
          Bucket: object.bucket,
          Key: object.key,
          ...(object.versionId ? { VersionId: object.versionId } : {}),
        }),
      );
      problem = undefined;
      return Object.fromEntries((answer.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    } catch (error) {
      const name = errorName(error);
      const message = error instanceof Error ? error.message : String(error);
      if (GONE.has(name)) return 'gone';
      if (ENVIRONMENT_ERRORS.has(name) || /region is missing|could not load credentials/i.test(message))
        throw new CliError(
          'AWS_ERROR',
          `cannot read the tags of s3://${object.bucket}/${object.key}: ${name}: ${message} (needs s3:GetObjectTagging)`,
        );
      // Throttling, 5xx, a dropped connection: try again at the next read.
      problem = `the last GetObjectTagging failed: ${name}: ${message}`;
      return undefined;
    }
  };

  return {
    describe: "the object's outcome tags",
    // Also proves, before anything is uploaded, that the caller may read tags at all.
    mark: async (target) => {
      const before = await tagsOf(target);
      stale = before === undefined || before === 'gone' ? undefined : readOutcomeTags(before)?.runId;
    },
    read: async (object: PushedObject): Promise<ObservedOutcome | undefined> => {
      const tags = await tagsOf(object);
      if (tags === 'gone') return { status: 'gone', message: 'the object was deleted', refusals: [] };
      const tagged = tags === undefined ? undefined : readOutcomeTags(tags);
      if (!tagged || (stale !== undefined && tagged.runId === stale)) return undefined;
      const cut = tagged.message !== undefined && Array.from(tagged.message).length >= MAX_VALUE_CHARS;
      const partial =
        tagged.refusals.length > 1 || cut
          ? `tags keep the first message only${cut ? `, cut at ${MAX_VALUE_CHARS} characters` : ''}: every message is in the pipeline's log (\`chart-promoter runs${tagged.chart ? ` --chart ${tagged.chart}` : ''} --status refused\`, with --log-group when deployed)`
          : undefined;
      return { ...tagged, ...(partial ? { partial } : {}) };
    },
    lastProblem: () => problem,
  };
};
