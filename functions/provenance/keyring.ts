import type { Key } from 'openpgp';
import { PromoterError } from '../errors';

/**
 * A keyring that cannot be read is the operator's problem, not the chart's: retryable, so uploads wait
 * (and end in the dead-letter queue, to be redriven once the keyring is fixed) instead of being refused.
 */
export const keyringInvalid = (message: string, cause?: unknown): PromoterError =>
  new PromoterError(
    'KEYRING_INVALID',
    'retryable',
    `the provenance keyring: ${message}`,
    cause === undefined ? {} : { cause },
  );

const ARMOR = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g;

/**
 * Reads an ASCII-armored public keyring: one armored block holding several keys (`gpg --armor --export`),
 * or several blocks concatenated (one per team member). Private keys are refused: a keyring is public.
 */
export const readPublicKeyring = async (armored: string): Promise<readonly Key[]> => {
  const blocks = armored.match(ARMOR);
  if (!blocks) throw keyringInvalid('no "BEGIN PGP PUBLIC KEY BLOCK" armor found');
  // Loaded here, not at module load: only a deployment with a keyring pays for openpgp (a lazily
  // loaded chunk of the Lambda bundle, infra/lambda/bundled-node-function.ts).
  const { readKeys } = await import('openpgp');
  const keys: Key[] = [];
  for (const block of blocks) {
    try {
      keys.push(...(await readKeys({ armoredKeys: block })));
    } catch (error) {
      throw keyringInvalid(`an armored block does not parse: ${(error as Error).message}`, error);
    }
  }
  if (keys.some((key) => key.isPrivate()))
    throw keyringInvalid('it holds a private key; export public keys only');
  return keys;
};
