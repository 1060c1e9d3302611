import type {
  GetQueryResultsCommandOutput,
  ResultField,
  StartQueryCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { CliError, EXIT, type LogsQueryClient } from '../command';

export interface InsightsQuery {
  readonly logGroupName: string;
  readonly queryString: string;
  /** The time window, epoch milliseconds (StartQuery takes seconds: rounded outwards). */
  readonly startMs: number;
  readonly endMs: number;
}

/** How long to wait for a query, and how (injectable so tests never sleep). */
export interface PollOptions {
  /** Give up (and stop the query) after this long. @default 60_000 */
  readonly timeoutMs?: number;
  /** First wait between GetQueryResults calls, doubled each time up to `maxDelayMs`. @default 250 */
  readonly firstDelayMs?: number;
  /** @default 2_000 */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Statuses after which GetQueryResults never changes; anything else (Scheduled, Running) is polled. */
const FINAL = new Set(['Complete', 'Failed', 'Cancelled', 'Timeout', 'Unknown']);

/**
 * Runs one Logs Insights query to the end: StartQuery, then GetQueryResults with a bounded backoff
 * until the status is final. Results while Running are partial, so only Complete counts.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html
 * A call that fails (credentials, access, no such log group) is an environment error (exit 2); a
 * query that fails, is cancelled or outlasts `timeoutMs` fails the run (exit 1).
 */
export const runInsightsQuery = async (
  client: LogsQueryClient,
  query: InsightsQuery,
  options: PollOptions = {},
): Promise<ResultField[][]> => {
  const { timeoutMs = 60_000, firstDelayMs = 250, maxDelayMs = 2_000 } = options;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  // Loaded on first use: the other commands never pay for the CloudWatch Logs client.
  const { GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } = await import(
    '@aws-sdk/client-cloudwatch-logs'
  );
  const started = now();
  const { queryId } = (await call(query.logGroupName, () =>
    client.send(
      new StartQueryCommand({
        logGroupName: query.logGroupName,
        queryString: query.queryString,
        startTime: Math.floor(query.startMs / 1000),
        endTime: Math.ceil(query.endMs / 1000),
      }),
    ),
  )) as StartQueryCommandOutput;
  if (!queryId)
    throw new CliError('UNEXPECTED_RESPONSE', 'StartQuery answered without a queryId', EXIT.failed);
  for (let delay = firstDelayMs; ; delay = Math.min(delay * 2, maxDelayMs)) {
    const answer = (await call(query.logGroupName, () =>
      client.send(new GetQueryResultsCommand({ queryId })),
    )) as GetQueryResultsCommandOutput;
    const status = answer.status ?? 'Unknown';
    if (status === 'Complete') return answer.results ?? [];
    if (FINAL.has(status)) {
      throw new CliError('QUERY_FAILED', `Logs Insights query ${queryId} ended ${status}`, EXIT.failed);
    }
    if (now() - started + delay > timeoutMs) {
      // A query left running keeps scanning (and billing) for up to 60 minutes: stop it.
      await client.send(new StopQueryCommand({ queryId })).catch(() => undefined);
      throw new CliError(
        'QUERY_TIMEOUT',
        `Logs Insights query ${queryId} still ${status} after ${Math.round((now() - started) / 1000)}s: narrow --since`,
        EXIT.failed,
      );
    }
    await sleep(delay);
  }
};

/** Calls AWS; a failure to reach or use the service becomes a usage/environment error (exit 2). */
const call = async <T>(logGroupName: string, send: () => Promise<T>): Promise<T> => {
  try {
    return await send();
  } catch (error) {
    throw awsError(logGroupName, error);
  }
};

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);

/** Names the usual causes so the message says what to fix. */
export const awsError = (logGroupName: string, error: unknown): CliError => {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message))
    return new CliError(
      'AWS_CREDENTIALS',
      `no AWS credentials: ${message} (set AWS_PROFILE, or sign in with \`aws sso login\`)`,
    );
  if (/region is missing/i.test(message))
    return new CliError('AWS_REGION', `no AWS region: pass --region or set AWS_REGION (${message})`);
  if (ACCESS_DENIED.has(name))
    return new CliError(
      'AWS_ACCESS_DENIED',
      `access denied querying ${logGroupName}: ${name}: ${message} (needs logs:StartQuery, logs:GetQueryResults, logs:StopQuery)`,
    );
  if (name === 'ResourceNotFoundException')
    return new CliError('LOG_GROUP_NOT_FOUND', `no log group ${logGroupName}: ${message} (wrong --region?)`);
  return new CliError('AWS_ERROR', `cannot query ${logGroupName}: ${name}: ${message}`);
};
