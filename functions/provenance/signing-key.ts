import { generateKey, readKey } from 'openpgp';

export interface SigningKey {
  /** ASCII-armored private key (unprotected: a throwaway key for demos and tests). */
  readonly privateKey: string;
  /** ASCII-armored public key: the keyring the pipeline verifies with. */
  readonly publicKey: string;
  /** The public key in binary form: the keyring format `helm verify --keyring` reads. */
  readonly publicKeyring: Uint8Array;
  readonly fingerprint: string;
}

/**
 * A throwaway signing key generated on the fly (the demo signs its sample chart with one). RSA 2048, a
 * v4 key: Helm 3 reads keyrings with golang.org/x/crypto/openpgp, which knows no EdDSA ("unsupported
 * feature: public key type: 22") and no v6 keys.
 */
export const generateSigningKey = async (name: string, email?: string): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKey({
    type: 'rsa',
    rsaBits: 2048,
    userIDs: [email === undefined ? { name } : { name, email }],
    format: 'armored',
  });
  const key = await readKey({ armoredKey: publicKey });
  return { privateKey, publicKey, publicKeyring: key.write(), fingerprint: key.getFingerprint() };
};
