/**
 * Text for people on the board: durations (lead times), ages relative to the view's own time (so a
 * rendering is a pure function of the view), and HTML escaping. Every string from the ledger, the
 * runs or a request goes through {@link escapeHtml} or {@link safeHref} before it reaches markup.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Two units, the smaller left out when it is zero: "4 m 12 s", "9 m", "1 h 5 m". */
const twoUnits = (ms: number, big: number, bigName: string, small: number, smallName: string): string => {
  const rest = Math.floor((ms % big) / small);
  return `${Math.floor(ms / big)} ${bigName}${rest === 0 ? '' : ` ${rest} ${smallName}`}`;
};

/** 850 → "850 ms", 3_200 → "3.2 s", 252_000 → "4 m 12 s", 3_900_000 → "1 h 5 m", 2 days → "2 d". */
export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < 10 * SECOND) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)} s`;
  if (ms < HOUR) return twoUnits(ms, MINUTE, 'm', SECOND, 's');
  if (ms < DAY) return twoUnits(ms, HOUR, 'h', MINUTE, 'm');
  return twoUnits(ms, DAY, 'd', HOUR, 'h');
};

/** The coarsest unit that fits: "40 s", "4 m", "3 h", "2 d". */
const coarse = (ms: number): string => {
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)} s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} m`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / DAY)} d`;
};

/** `at` relative to `now` (both ISO): "just now", "4 m ago", "in 3 m"; "-" when either is unreadable. */
export const formatAge = (at: string, now: string): string => {
  const [then, current] = [Date.parse(at), Date.parse(now)];
  if (Number.isNaN(then) || Number.isNaN(current)) return '-';
  const delta = current - then;
  if (Math.abs(delta) < 5 * SECOND) return 'just now';
  return delta > 0 ? `${coarse(delta)} ago` : `in ${coarse(-delta)}`;
};

/** "2026-11-27T17:06:40.596Z" → "2026-11-27 17:06:40 UTC" (titles, tooltips); other text as given. */
export const formatUtc = (iso: string): string => {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
};

export const shortCommit = (sha: string): string => sha.slice(0, 12);

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text and double-quoted attribute values: the five characters that can end a text node or an
 * attribute (OWASP XSS prevention, rule 1 and 2). Markup never places untrusted text anywhere else
 * (no script, style, comment, unquoted attribute or URL without {@link safeHref}).
 */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/**
 * An href for an untrusted URL: only absolute http(s) URLs, re-serialised by the URL parser and
 * escaped; anything else (javascript:, data:, relative, unparsable) gives undefined and is shown as
 * plain text instead of a link.
 */
export const safeHref = (url: string): string | undefined => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return escapeHtml(parsed.href);
};

/**
 * An HTML id for a name: `[a-z0-9-]` kept, every other UTF-16 unit as `_<hex>_`, so distinct names
 * give distinct ids and no id carries markup.
 */
export const idFor = (prefix: string, name: string): string =>
  `${prefix}${name.replace(/[^a-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`)}`;
