import { createHash } from 'node:crypto';
import { isPromoterError } from '../errors';
import { checkFreshness } from './event-freshness';
import type { FeedbackIngressDependencies, FeedbackIngressSettings } from './feedback-context';
import { type FluxEvent, parseFluxEvent } from './flux-event';
import { verifySignature } from './hmac-signature';

/** One HTTP request to the feedback endpoint, whatever served it (function URL, local server, test). */
export interface FeedbackRequest {
  /** Header names in any case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body bytes, exactly as sent (base64-decoded already when the transport encoded them). */
  readonly body: Uint8Array;
}

export type FeedbackBody =
  | { readonly status: 'rejected'; readonly reason: string; readonly message: string }
  /** On the queue: the worker acts on it. `id` is the body's SHA-256 (hex), its idempotency key. */
  | { readonly status: 'accepted'; readonly id: string }
  | { readonly status: 'error'; readonly reason: string; readonly message: string };

export interface FeedbackResponse {
  readonly statusCode: number;
  readonly body: FeedbackBody;
}

const header = (headers: FeedbackRequest['headers'], name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

const rejected = (statusCode: number, reason: string, message: string): FeedbackResponse => ({
  statusCode,
  body: { status: 'rejected', reason, message },
});

/** SQS limits a message group id to 128 characters (alphanumerics and punctuation). */
const MAX_GROUP_LENGTH = 128;

/**
 * The queue's message group of an event: the object it is about. Kubernetes names are lower-case
 * alphanumerics, `-` and `.` (allowed in a group id), but a namespace (63) and a name (253) may
 * together exceed SQS's 128 characters: then the object is named by its digest.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export const messageGroupOf = (event: Pick<FluxEvent, 'kind' | 'namespace' | 'name'>): string => {
  const group = `${event.kind}/${event.namespace ?? ''}/${event.name}`;
  if (group.length <= MAX_GROUP_LENGTH) return group;
  return `${event.kind.slice(0, 40)}/${createHash('sha256').update(group).digest('hex')}`;
};

/**
 * The feedback endpoint, transport-free: size cap (413) → generic-hmac signature over the raw bytes
 * (401) → JSON and Flux event shape (400) → freshness (422) → the queue → 202. Rejections change
 * nothing, and Flux's notification-controller does not retry a 4xx. Only an event that is on the
 * queue gets its 2xx; when the key or the queue cannot be reached the answer is 503, which Flux
 * retries (5xx, 429 and connection errors, inside the Provider's timeout: REAL-SERVICES.md, "Flux").
 * No Git host here: what the event means is the worker's business (handle-feedback-batch.ts).
 */
export const handleFeedback = async (
  request: FeedbackRequest,
  deps: FeedbackIngressDependencies,
  settings: FeedbackIngressSettings,
): Promise<FeedbackResponse> => {
  const reject = (response: FeedbackResponse): FeedbackResponse => {
    deps.metrics.count('FeedbackRejected', 1, { reason: (response.body as { reason: string }).reason });
    deps.logger.warn('feedback rejected', { statusCode: response.statusCode, ...response.body });
    return response;
  };
  const unavailable = (reason: string, error: unknown): FeedbackResponse => {
    const code = isPromoterError(error) ? error.code : reason;
    deps.logger.error(`feedback not accepted: ${code}`, { error: error as Error });
    deps.metrics.count('FeedbackUnavailable', 1, { reason });
    return {
      statusCode: 503,
      body: {
        status: 'error',
        reason,
        message: `${code}: ${error instanceof Error ? error.message : error}`,
      },
    };
  };
  if (request.body.byteLength > settings.maxBodyBytes) {
    return reject(rejected(413, 'BODY_TOO_LARGE', `body over ${settings.maxBodyBytes} bytes`));
  }
  let key: Uint8Array;
  try {
    key = await deps.hmacKey();
  } catch (error) {
    return unavailable('KEY_UNAVAILABLE', error);
  }
  const signature = verifySignature(key, request.body, header(request.headers, 'x-signature'));
  if (!signature.ok)
    return reject(rejected(401, signature.reason, 'X-Signature must be sha256=<hex HMAC of the body>'));
  let text: string;
  let value: unknown;
  try {
    // ignoreBOM: the text stays byte for byte what was signed (the worker hashes it again).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(request.body);
    value = JSON.parse(text);
  } catch {
    return reject(rejected(400, 'BODY_NOT_JSON', 'the body is not UTF-8 JSON'));
  }
  const parsed = parseFluxEvent(value);
  if (!parsed.ok) return reject(rejected(400, 'EVENT_INVALID', parsed.message));
  const { event } = parsed;
  const freshness = checkFreshness(event.timestamp, deps.clock.now(), settings.freshness);
  if (!freshness.fresh) return reject(rejected(422, freshness.reason, freshness.message));
  const digest = createHash('sha256').update(request.body).digest('hex');
  try {
    await deps.queue.enqueue({ body: text, digest, group: messageGroupOf(event) });
  } catch (error) {
    return unavailable('QUEUE_UNAVAILABLE', error);
  }
  deps.metrics.count('FeedbackAccepted', 1);
  deps.logger.info('feedback accepted', {
    id: digest,
    object: `${event.kind}/${event.namespace ?? '?'}/${event.name}`,
    reason: event.reason,
    revision: event.revision,
    runId: event.runId,
  });
  return { statusCode: 202, body: { status: 'accepted', id: digest } };
};
