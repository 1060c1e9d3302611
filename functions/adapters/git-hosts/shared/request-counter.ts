/**
 * A fetch that counts the requests it sends (retries included), for `GitHostWiring.requests`: the
 * GitHostRequests metric and the benchmarks' request budgets. Wraps `settings.fetch` when a test
 * injects one.
 */
export const countingFetch = (
  inner: typeof fetch = globalThis.fetch,
): { readonly fetch: typeof fetch; readonly requests: () => number } => {
  let requests = 0;
  return {
    fetch: (input, init) => {
      requests++;
      return inner(input, init);
    },
    requests: () => requests,
  };
};
