/**
 * Recently handled event bodies (SHA-256 digests), per execution environment: a redelivery of the same
 * signed body within the freshness window is answered `duplicate` and does nothing. Bounded (oldest
 * forgotten first) and time-limited. Across Lambda containers this cache does not help; there,
 * idempotency comes from the git state: promoting what is already in place commits nothing, and a
 * rollback to the version in place is `unchanged`.
 */
export class ReplayCache {
  readonly #entries = new Map<string, number>();

  constructor(
    private readonly capacity = 1000,
    private readonly ttlMs = 15 * 60_000,
  ) {}

  has(digest: string, now: Date): boolean {
    const at = this.#entries.get(digest);
    if (at === undefined) return false;
    if (now.getTime() - at > this.ttlMs) {
      this.#entries.delete(digest);
      return false;
    }
    return true;
  }

  /** Remember only after the event was handled: a failed attempt must stay retryable. */
  remember(digest: string, now: Date): void {
    this.#entries.delete(digest);
    this.#entries.set(digest, now.getTime());
    while (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}
