import type { CleartextMessage, Key } from 'openpgp';
import { type ProvenanceVerdict, provenanceRefused, type Signer } from './provenance-codes';
import { parseProvenanceBody } from './provenance-document';

/** What the provenance must describe: the chart that passed intake, and the archive's file name. */
export interface ProvenanceSubject {
  readonly name: string;
  readonly version: string;
  /** `sha256:<hex>` of the archive bytes as uploaded (Chart.digest). */
  readonly digest: string;
  /** The archive's file name (the object key's last segment); Helm looks its digest up by it. */
  readonly archiveName: string;
}

const invalid = (message: string): ProvenanceVerdict => provenanceRefused('PROVENANCE_INVALID', message);

const signerOf = (key: Key, keyId: string): Signer => ({
  fingerprint: key.getFingerprint(),
  keyId,
  userIds: key.getUserIDs(),
});

/** The signature check: exactly what `helm verify` requires (a good signature by a keyring key). */
const checkSignature = async (
  provenance: string,
  keyring: readonly Key[],
): Promise<{ ok: true; text: string; signer: Signer } | { ok: false; verdict: ProvenanceVerdict }> => {
  // Loaded on first use: only a deployment with a keyring pays for openpgp (see keyring.ts).
  const { readCleartextMessage, verify } = await import('openpgp');
  let message: CleartextMessage;
  try {
    message = await readCleartextMessage({ cleartextMessage: provenance });
  } catch (error) {
    return { ok: false, verdict: invalid(`not a PGP clear-signed message: ${(error as Error).message}`) };
  }
  const result = await verify({ message, verificationKeys: [...keyring] });
  const [signature] = result.signatures;
  if (!signature) return { ok: false, verdict: invalid('the message carries no signature') };
  const keyId = signature.keyID.toHex();
  try {
    await signature.verified;
  } catch (error) {
    // openpgp.js names an unknown signer "Could not find signing key with key ID …".
    return { ok: false, verdict: invalid(`signature by key ${keyId} rejected: ${(error as Error).message}`) };
  }
  const key = keyring.find((candidate) => candidate.getKeys(signature.keyID).length > 0);
  if (!key) return { ok: false, verdict: invalid(`key ${keyId} is not in the keyring`) };
  return { ok: true, text: message.getText(), signer: signerOf(key, keyId) };
};

/**
 * Verifies a Helm provenance file (https://helm.sh/docs/topics/provenance/) for `subject`: the clear
 * signature must be good and made by a key of `keyring`, the signed Chart.yaml must name the same chart
 * and version, and the signed digest of the archive's file name must be the uploaded archive's.
 * Everything wrong is a `PROVENANCE_INVALID` verdict (never a throw).
 */
export const verifyProvenance = async (
  provenance: string,
  keyring: readonly Key[],
  subject: ProvenanceSubject,
): Promise<ProvenanceVerdict> => {
  const signed = await checkSignature(provenance, keyring);
  if (!signed.ok) return signed.verdict;
  const parsed = parseProvenanceBody(signed.text);
  if (!parsed.ok) return invalid(parsed.message);
  const { body } = parsed;
  if (body.name !== subject.name || body.version !== subject.version) {
    return invalid(
      `the provenance is for ${body.name} ${body.version}, the archive is ${subject.name} ${subject.version}`,
    );
  }
  // Helm keys the digest by the archive's base name; a renamed upload is still found by Helm's own name.
  const canonical = `${subject.name}-${subject.version}.tgz`;
  const signedDigest = body.files.get(subject.archiveName) ?? body.files.get(canonical);
  if (signedDigest === undefined) {
    return invalid(
      `the provenance lists no digest for ${subject.archiveName} (files: ${[...body.files.keys()].join(', ') || 'none'})`,
    );
  }
  if (signedDigest !== subject.digest.toLowerCase()) {
    return invalid(
      `archive digest ${subject.digest} differs from the signed ${signedDigest}: the archive was altered after signing`,
    );
  }
  return { ok: true, signer: signed.signer };
};
