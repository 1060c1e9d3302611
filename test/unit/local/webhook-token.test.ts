import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureWebhookToken } from '../../../functions/local/webhook-token';

describe('ensureWebhookToken (the local feedback endpoint HMAC key, one per work dir)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'webhook-token-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a 256-bit hex token, mode 0600, and returns the same one afterwards (also to concurrent callers)', async () => {
    // Prepare
    const file = path.join(dir, 'webhook-token');

    // Act
    const [a, b] = await Promise.all([ensureWebhookToken(file), ensureWebhookToken(file)]);
    const again = await ensureWebhookToken(file);

    // Assess
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(again).toBe(a);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('keeps a token the user put there (e.g. the one their Flux Provider secret already holds)', async () => {
    // Prepare
    const file = path.join(dir, 'webhook-token');
    await writeFile(file, 'my-flux-token\n', { mode: 0o600 });

    // Act
    const token = await ensureWebhookToken(file);

    // Assess
    expect(token).toBe('my-flux-token');
  });
});
