const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * File bytes as text that survives the trip through a JSON string unchanged (no NUL, valid UTF-8), or
 * `undefined` when they must travel encoded: GitHub's create-tree `content` and GitLab's commit
 * actions (`encoding: text`) both take the string as the file's exact bytes.
 */
export const asInlineText = (content: Uint8Array): string | undefined => {
  if (content.includes(0)) return undefined;
  try {
    return decoder.decode(content);
  } catch {
    return undefined;
  }
};
