/**
 * Where the public keys that may sign charts come from (an S3 object or a Secrets Manager secret in
 * AWS; a string in the local runtime). Returns ASCII-armored OpenPGP public keys: one armored block
 * holding several keys (`gpg --armor --export`) or several blocks concatenated.
 */
export interface KeyringSource {
  publicKeys(): Promise<string>;
}

/** A fixed keyring (local runtime, demo, tests). */
export const staticKeyring = (armored: string): KeyringSource => ({ publicKeys: async () => armored });
