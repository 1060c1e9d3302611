import { createHash } from 'node:crypto';
import { isPromoterError } from '../errors';
import { checkFreshness } from './event-freshness';
import type { FeedbackDependencies, FeedbackSettings } from './feedback-context';
import { parseFluxEvent } from './flux-event';
import { handleReleaseEvent, type ReleaseEventOutcome } from './handle-release-event';
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
  | { readonly status: 'duplicate' }
  | { readonly status: 'error'; readonly reason: string; readonly message: string }
  | ReleaseEventOutcome;

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

/**
 * The feedback endpoint, transport-free: size cap (413) → generic-hmac signature over the raw bytes
 * (401) → JSON and Flux event shape (400) → freshness (422) → replay (200 `duplicate`) → act.
 * Rejections change nothing. Failures of the Git host answer 503 so Flux's notification-controller
 * retries the delivery (it retries 5xx, not 4xx); the event is remembered only once handled.
 */
export const handleFeedback = async (
  request: FeedbackRequest,
  deps: FeedbackDependencies,
  settings: FeedbackSettings,
): Promise<FeedbackResponse> => {
  const reject = (response: FeedbackResponse): FeedbackResponse => {
    deps.metrics.count('FeedbackRejected', 1, { reason: (response.body as { reason: string }).reason });
    deps.logger.warn('feedback rejected', { statusCode: response.statusCode, ...response.body });
    return response;
  };
  if (request.body.byteLength > settings.maxBodyBytes) {
    return reject(rejected(413, 'BODY_TOO_LARGE', `body over ${settings.maxBodyBytes} bytes`));
  }
  const signature = verifySignature(
    await deps.hmacKey(),
    request.body,
    header(request.headers, 'x-signature'),
  );
  if (!signature.ok)
    return reject(rejected(401, signature.reason, 'X-Signature must be sha256=<hex HMAC of the body>'));
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body));
  } catch {
    return reject(rejected(400, 'BODY_NOT_JSON', 'the body is not UTF-8 JSON'));
  }
  const parsed = parseFluxEvent(value);
  if (!parsed.ok) return reject(rejected(400, 'EVENT_INVALID', parsed.message));
  const now = deps.clock.now();
  const freshness = checkFreshness(parsed.event.timestamp, now, settings.freshness);
  if (!freshness.fresh) return reject(rejected(422, freshness.reason, freshness.message));
  const digest = createHash('sha256').update(request.body).digest('hex');
  if (deps.replay.has(digest, now)) {
    deps.logger.info('duplicate feedback event: nothing to do', { digest });
    return { statusCode: 200, body: { status: 'duplicate' } };
  }
  try {
    const outcome = await handleReleaseEvent(parsed.event, deps, settings);
    deps.replay.remember(digest, now);
    if (outcome.status === 'ignored') deps.logger.info(`ignored event: ${outcome.reason}`, { ...outcome });
    return { statusCode: 200, body: outcome };
  } catch (error) {
    const code = isPromoterError(error) ? error.code : 'UNEXPECTED_ERROR';
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.error(`feedback failed: ${code}`, { error: error as Error });
    return {
      statusCode: isPromoterError(error) && !error.retryable ? 422 : 503,
      body: { status: 'error', reason: code, message },
    };
  }
};
