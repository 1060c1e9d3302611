/**
 * The durable hand-off between the feedback endpoint, which verifies a Flux event and answers in well
 * under a second, and the feedback worker, which acts on it (git reads, commits, pull requests,
 * rollbacks). Flux gets its 2xx only once `enqueue` resolved: from then on the queue owns the event
 * (redelivery, then its dead-letter queue), so an event Flux was told is accepted is never lost.
 * Adapters: SQS FIFO (Lambda), the in-process local queue (the embedded runtime), tests.
 */
export interface AcceptedFluxEvent {
  /** The body exactly as Flux sent and signed it (UTF-8 JSON). */
  readonly body: string;
  /** SHA-256 of the body, hex: the queue's deduplication id and the worker's idempotency key. */
  readonly digest: string;
  /**
   * What orders events: the object the event is about (`HelmRelease/<namespace>/<name>`), so the
   * events of one release are handled one after the other, in the order they arrived.
   */
  readonly group: string;
}

export interface FluxEventQueue {
  /** Resolves once the event is stored by the queue; rejects when it is not (Flux then retries). */
  enqueue(event: AcceptedFluxEvent): Promise<void>;
}
