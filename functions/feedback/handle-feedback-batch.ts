import { createHash } from 'node:crypto';
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { isPromoterError, PromoterError } from '../errors';
import type { FeedbackDependencies, FeedbackSettings } from './feedback-context';
import { type FluxEvent, parseFluxEvent } from './flux-event';
import { handleReleaseEvent, type ReleaseEventOutcome } from './handle-release-event';

/**
 * The feedback worker: batches of accepted Flux events from the feedback queue (FIFO, one message
 * group per HelmRelease), each acted on once however often it is delivered.
 *
 * - Order: Powertools' SqsFifoPartialProcessorAsync handles records one by one; when one fails, the
 *   later records of its message group (the same release) fail with it, unhandled, so they come back
 *   in order; other releases go on (`skipGroupOnError`).
 *   https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/#fifo-queues
 * - Once: Powertools idempotency keyed on the body (what Flux signed; SHA-256), in the release
 *   ledger's table (`pk = "idempotency#feedback"`). A second delivery of a handled event — SQS
 *   redelivering after a worker died, Flux retrying after a lost answer, a replayed body — finds the
 *   COMPLETED record and does nothing again, in any worker instance. A delivery while the first is
 *   still running finds it INPROGRESS and fails, to come back later. The INPROGRESS record of a worker
 *   that died expires at that invocation's deadline (`registerLambdaContext`), so the redelivery
 *   (after the queue's visibility timeout, longer than the function timeout) handles it again.
 *   A failure deletes the record: the event stays retryable.
 *   https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/
 * - Failures: a batch item failure; the queue redelivers, and after its maxReceiveCount moves the
 *   message to the dead-letter queue. Each failure is logged with its code; the last one says so.
 */
export interface FeedbackIdempotency {
  /** Where handled events are remembered (DynamoDB in Lambda, dynalite locally). */
  readonly persistenceStore: BasePersistenceLayer;
  /**
   * How long a handled event is remembered: longer than any copy of it can live (in the queue, then
   * in its dead-letter queue), so no copy is ever acted on twice.
   */
  readonly rememberSeconds: number;
}

export interface FeedbackBatchOptions {
  /** The invocation's remaining time bounds how long an in-progress record holds its event. */
  readonly context: Pick<Context, 'getRemainingTimeInMillis'>;
  /** The queue's maxReceiveCount: the failure at that receive is the last (dead-lettered). */
  readonly maxReceives: number;
}

export interface HandledFluxEvent {
  readonly messageId: string;
  /** SHA-256 of the body (hex): the id the endpoint answered with. */
  readonly id: string;
  readonly event: FluxEvent;
  readonly outcome: ReleaseEventOutcome;
  /** Handled before (another delivery, another instance): nothing was done again. */
  readonly duplicate: boolean;
}

export interface FailedFluxEvent {
  readonly messageId: string;
  readonly id: string;
  readonly code: string;
  readonly message: string;
  readonly receiveCount: number;
  /** The queue dead-letters it now (receiveCount reached maxReceives). */
  readonly deadLettered: boolean;
}

export interface FeedbackBatchResult {
  readonly response: SQSBatchResponse;
  readonly handled: readonly HandledFluxEvent[];
  readonly failed: readonly FailedFluxEvent[];
}

/**
 * How long a handled event is remembered by default: longer than a copy of it can live — 4 days in
 * the feedback queue, then 14 in its dead-letter queue (SQS's longest retention) — so a redriven
 * message is still recognised.
 */
export const DEFAULT_REMEMBER_EVENTS_SECONDS = 18 * 24 * 3600;

/** The stable part of every idempotency key of Flux events (Powertools' default would be the function name, which changes with each stack). */
export const FLUX_EVENT_KEY_PREFIX = 'flux-event';

/** The event in a queued body; a body the endpoint would never have accepted is a terminal error. */
export const readQueuedEvent = (body: string): FluxEvent => {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new PromoterError('EVENT_INVALID', 'terminal', 'the queued body is not JSON');
  }
  const parsed = parseFluxEvent(value);
  if (!parsed.ok) throw new PromoterError('EVENT_INVALID', 'terminal', parsed.message);
  return parsed.event;
};

const bodyDigest = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex');

/** What the idempotency store keeps of a handled event (JSON: no undefined, no class instances). */
interface Remembered {
  readonly outcome: ReleaseEventOutcome;
  readonly duplicate?: true;
}

const failureCode = (error: unknown): string => {
  if (isPromoterError(error)) return error.code;
  const name = error instanceof Error ? error.name : '';
  if (name === 'IdempotencyAlreadyInProgressError') return 'IN_PROGRESS_ELSEWHERE';
  if (name === 'IdempotencyPersistenceLayerError') return 'IDEMPOTENCY_STORE_UNAVAILABLE';
  return 'UNEXPECTED_ERROR';
};

/** Builds the worker over its dependencies; `handleBatch` is called once per delivered batch. */
export const feedbackWorker = (
  deps: FeedbackDependencies,
  settings: FeedbackSettings,
  idempotency: FeedbackIdempotency,
) => ({
  handleBatch: async (event: SQSEvent, options: FeedbackBatchOptions): Promise<FeedbackBatchResult> => {
    // One config per batch: it holds the batch's invocation context (remaining time).
    const config = new IdempotencyConfig({
      expiresAfterSeconds: idempotency.rememberSeconds,
      hashFunction: 'sha256',
      // Only a stored answer carries this mark: the caller tells a duplicate from a first handling.
      responseHook: (response) => ({ ...(response as object), duplicate: true }),
    });
    config.registerLambdaContext(options.context as Context);
    const actOnce = makeIdempotent(
      // The body (argument 0) is the key: what Flux signed, byte for byte.
      async (_body: string, event: FluxEvent): Promise<Remembered> => {
        const outcome = await handleReleaseEvent(event, deps, settings);
        // Stored as JSON in the table (undefined fields dropped), returned as stored.
        return { outcome: JSON.parse(JSON.stringify(outcome)) as ReleaseEventOutcome };
      },
      {
        persistenceStore: idempotency.persistenceStore,
        config,
        keyPrefix: FLUX_EVENT_KEY_PREFIX,
        dataIndexArgument: 0,
      },
    );

    const handled: HandledFluxEvent[] = [];
    const failed: FailedFluxEvent[] = [];
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const id = bodyDigest(record.body);
      try {
        const event = readQueuedEvent(record.body);
        const remembered = await actOnce(record.body, event);
        const duplicate = remembered.duplicate === true;
        handled.push({ messageId: record.messageId, id, event, outcome: remembered.outcome, duplicate });
        if (duplicate) {
          deps.metrics.count('FeedbackDuplicate', 1);
          deps.logger.info('duplicate Flux event: handled before, nothing done again', {
            id,
            messageId: record.messageId,
            status: remembered.outcome.status,
          });
        } else if (remembered.outcome.status === 'ignored') {
          deps.logger.info(`ignored event: ${remembered.outcome.reason}`, { id, ...remembered.outcome });
        }
      } catch (error) {
        const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
        const failure: FailedFluxEvent = {
          messageId: record.messageId,
          id,
          code: failureCode(error),
          message: error instanceof Error ? error.message : String(error),
          receiveCount,
          deadLettered: receiveCount >= options.maxReceives,
        };
        failed.push(failure);
        deps.metrics.count('FeedbackWorkFailed', 1, { code: failure.code });
        const log = failure.deadLettered ? deps.logger.error : deps.logger.warn;
        log.call(
          deps.logger,
          failure.deadLettered
            ? `Flux event failed ${receiveCount} times: to the dead-letter queue (${failure.code})`
            : `Flux event failed, will be retried (${failure.code})`,
          { ...failure, error: error as Error },
        );
        throw error;
      }
    };
    const response = await processPartialResponse(event, handleRecord, new SqsFifoPartialProcessorAsync(), {
      skipGroupOnError: true,
      // A batch whose every record failed is still an answer (each record retried, then dead-lettered),
      // not a crash of the function.
      throwOnFullBatchFailure: false,
    });
    return { response, handled, failed };
  },
});

export type FeedbackWorker = ReturnType<typeof feedbackWorker>;
