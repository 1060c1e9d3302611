import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';

/**
 * The generic-hmac key of the local feedback endpoint: one per work dir, created on first use and kept
 * in `<workdir>/webhook-token` (mode 0600, like any secret on disk), so a Flux Provider secret made from
 * it keeps working across restarts. Flux uses the Provider secret's `token` string as the HMAC key:
 * https://fluxcd.io/flux/components/notification/providers/#generic-webhook-with-hmac
 */
export const WEBHOOK_TOKEN_FILE = 'webhook-token';

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';
const isTaken = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'EEXIST';

/** Reads the token, or creates it (256 random bits, hex). Two processes starting at once agree. */
export const ensureWebhookToken = async (path: string): Promise<string> => {
  const existing = await readFile(path, 'utf8').catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (existing !== undefined && existing.trim() !== '') return existing.trim();
  const token = randomBytes(32).toString('hex');
  try {
    // `wx`: never replace a token another process has just written.
    await writeFile(path, `${token}\n`, { mode: 0o600, flag: existing === undefined ? 'wx' : 'w' });
    await chmod(path, 0o600); // the umask may have narrowed the mode, never widened it; be explicit
    return token;
  } catch (error) {
    if (isTaken(error)) return readWritten(path);
    throw error;
  }
};

/** The other process created the file: its content may lag its creation by a moment. */
const readWritten = async (path: string): Promise<string> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const token = (await readFile(path, 'utf8')).trim();
    if (token !== '') return token;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${path} stays empty: delete it to create a new webhook token`);
};
