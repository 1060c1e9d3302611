/**
 * The wait a `Retry-After` header asks for, in ms: delay-seconds or an HTTP-date
 * (https://www.rfc-editor.org/rfc/rfc9110#field.retry-after). `undefined` when absent or unreadable;
 * a date in the past is 0.
 */
export const retryAfterMs = (header: string | null | undefined, now: Date): number | undefined => {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at) || !/[A-Za-z]/.test(value)) return undefined;
  return Math.max(0, at - now.getTime());
};
