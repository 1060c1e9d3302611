import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { Errors } from 'isomorphic-git';
import { GitHostError } from '../../../ports/git-host-error';
import { gitHostErrorCodeOf } from '../shared/http-status';

/** What the HTTP transport moved over the wire since the adapter was created. */
export interface TransferStats {
  requests: number;
  /** Request body bytes (upload-pack negotiation, pushed packs). */
  bytesSent: number;
  /** Response body bytes (ref advertisements, fetched packs, push reports), after any decompression. */
  bytesReceived: number;
}

async function* counted(
  body: AsyncIterable<Uint8Array>,
  add: (n: number) => void,
): AsyncIterableIterator<Uint8Array> {
  for await (const chunk of body) {
    add(chunk.byteLength);
    yield chunk;
  }
}

/**
 * Wraps isomorphic-git's HTTP client to count requests and bytes, and to bound each request in time
 * (isomorphic-git/http/node has no timeout: a silent host would hold the Lambda until it is killed).
 */
export const countingHttp = (inner: HttpClient, stats: TransferStats, timeoutMs: number): HttpClient => ({
  async request(request: GitHttpRequest): Promise<GitHttpResponse> {
    stats.requests++;
    let body = request.body as unknown;
    // Arrays are sent as one buffer with a Content-Length (AWS CodeCommit requires it): keep them arrays.
    if (Array.isArray(body)) {
      for (const chunk of body as Uint8Array[]) stats.bytesSent += chunk.byteLength;
    } else if (body) {
      body = counted(body as AsyncIterable<Uint8Array>, (n) => {
        stats.bytesSent += n;
      });
    }
    const response = await inner.request({
      ...request,
      body: body as GitHttpRequest['body'],
      signal: request.signal ?? AbortSignal.timeout(timeoutMs),
    });
    return response.body
      ? {
          ...response,
          body: counted(response.body, (n) => {
            stats.bytesReceived += n;
          }),
        }
      : response;
  },
});

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ABORT_ERR',
  'UND_ERR_SOCKET',
]);

// What git's receive-pack says when the ref moved under the push (another pusher won the lock, or the
// old id no longer matches): https://git-scm.com/docs/git-receive-pack
const REF_RACE =
  /failed to update ref|cannot lock ref|unable to lock|fetch first|non-fast-forward|stale info/i;

/** Maps what isomorphic-git or the network threw onto the port's typed errors. */
export const gitHostErrorOf = (error: unknown, location: string): unknown => {
  if (error instanceof GitHostError) return error;
  if (error instanceof Errors.UserCanceledError || error instanceof Errors.PushRejectedError) {
    return new GitHostError('BRANCH_MOVED', `the branch moved on ${location} before the push`, {
      cause: error,
    });
  }
  if (error instanceof Errors.GitPushError) {
    const details = error.data.prettyDetails;
    const code = REF_RACE.test(details) ? 'BRANCH_MOVED' : 'REQUEST_REJECTED';
    return new GitHostError(code, `push to ${location} rejected: ${details.trim()}`, { cause: error });
  }
  if (error instanceof Errors.HttpError) {
    const status = error.data.statusCode;
    return new GitHostError(gitHostErrorCodeOf(status), `${location} answered HTTP ${status}`, {
      cause: error,
    });
  }
  if (error instanceof Errors.SmartHttpError || error instanceof Errors.EmptyServerResponseError) {
    return new GitHostError('HOST_UNAVAILABLE', `${location} sent an unreadable git response`, {
      cause: error,
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    name === 'AbortError' ||
    name === 'TimeoutError'
  ) {
    return new GitHostError('HOST_UNAVAILABLE', `cannot reach ${location} (${String(code ?? name)})`, {
      cause: error,
    });
  }
  return error;
};
