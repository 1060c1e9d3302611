/**
 * Turns a change set into create-tree entries (https://docs.github.com/rest/git/trees#create-a-tree):
 * UTF-8 text goes inline as `content` (no blob request), binary files reference a blob created first,
 * deletions are `sha: null`. Very large create-tree requests fail in practice (502/422 above a few MB
 * or a few hundred entries), so entries are split into chunks that are applied one after the other,
 * each on top of the tree the previous one produced (`base_tree`).
 */

export type TreeEntryRequest =
  | { readonly path: string; readonly mode: '100644'; readonly type: 'blob'; readonly content: string }
  | { readonly path: string; readonly mode: '100644'; readonly type: 'blob'; readonly sha: string | null };

export interface TreeChunkLimits {
  /** Entries per create-tree request. */
  readonly maxEntries: number;
  /** Serialized size of the entries of one create-tree request, in bytes. */
  readonly maxBytes: number;
}

/**
 * 2 000 files of 2 KiB (a hundred charts) go in three requests. Create-tree calls above ~2 MB or a few
 * hundred entries fail in practice (502/422, REAL-SERVICES.md "GitHub REST"); 1.5 MiB keeps a margin below
 * that while a batch of 100 podinfo-sized charts (7 MB of text) stays within the 10-request budget.
 */
export const DEFAULT_TREE_CHUNK_LIMITS: TreeChunkLimits = { maxEntries: 500, maxBytes: 1536 * 1024 };

export const chunkTreeEntries = (
  entries: readonly TreeEntryRequest[],
  limits: TreeChunkLimits = DEFAULT_TREE_CHUNK_LIMITS,
): TreeEntryRequest[][] => {
  // Sorted by path, so each chunk rewrites as few directories as possible.
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const chunks: TreeEntryRequest[][] = [];
  let current: TreeEntryRequest[] = [];
  let bytes = 0;
  for (const entry of sorted) {
    const size = Buffer.byteLength(JSON.stringify(entry));
    if (current.length > 0 && (current.length >= limits.maxEntries || bytes + size > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};
