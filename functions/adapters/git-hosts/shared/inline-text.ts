// ignoreBOM: a leading BOM stays in the text, so the file's bytes survive the round trip.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The file's text when it survives the trip through a JSON string unchanged (no NUL, valid UTF-8),
 * else `undefined`: hosts whose commit APIs take file content inline in JSON (GitHub's create-tree,
 * GitLab's commit actions) send such files as text and everything else as base64 or a blob.
 */
export const asInlineText = (content: Uint8Array): string | undefined => {
  if (content.includes(0)) return undefined;
  try {
    return decoder.decode(content);
  } catch {
    return undefined;
  }
};
