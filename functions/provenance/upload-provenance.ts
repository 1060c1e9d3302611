import type { Key } from 'openpgp';
import { isPromoterError } from '../errors';
import type { ObjectCreated } from '../events';
import type { KeyringSource } from '../ports/keyring-source';
import type { ObjectRef, ObjectStore } from '../ports/object-store';
import { readPublicKeyring } from './keyring';
import { type ProvenanceVerdict, provenanceRefused } from './provenance-codes';
import { type ProvenanceSubject, verifyProvenance } from './verify-provenance';

/** `helm package --sign` writes `<archive>.prov` beside the archive; uploads keep that name. */
export const provenanceKey = (chartKey: string): string => `${chartKey}.prov`;

/** A provenance file is a few KiB; anything bigger is not one. */
export const MAX_PROVENANCE_BYTES = 64 * 1024;

const archiveNameOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/**
 * Verifies uploads against the keyring of a `KeyringSource`, reading each `<key>.prov` from the bucket.
 * The keyring is read once per verifier (one per batch): a rotated keyring applies to the next batch.
 * Store failures other than "not found" (throttling, 5xx) propagate with their disposition (retry).
 */
export class UploadProvenanceVerifier {
  readonly #store: ObjectStore;
  readonly #keyringSource: KeyringSource;
  #keyring: Promise<readonly Key[]> | undefined;

  constructor(store: ObjectStore, keyringSource: KeyringSource) {
    this.#store = store;
    this.#keyringSource = keyringSource;
  }

  async verify(
    chart: Pick<ProvenanceSubject, 'name' | 'version' | 'digest'>,
    object: ObjectRef,
  ): Promise<ProvenanceVerdict> {
    const key = provenanceKey(object.key);
    let text: string;
    try {
      // The newest .prov: the chart's versionId says nothing about the version of its neighbour.
      const stored = await this.#store.get(
        { bucket: object.bucket, key },
        { maxBytes: MAX_PROVENANCE_BYTES },
      );
      text = new TextDecoder().decode(stored.bytes);
    } catch (error) {
      if (isPromoterError(error) && error.code === 'OBJECT_NOT_FOUND') {
        return provenanceRefused(
          'PROVENANCE_MISSING',
          `the policy requires provenance and s3://${object.bucket}/${key} does not exist: upload the .prov that helm package --sign wrote`,
          key,
        );
      }
      if (isPromoterError(error) && error.code === 'OBJECT_TOO_LARGE') {
        return provenanceRefused(
          'PROVENANCE_INVALID',
          `${key} is over ${MAX_PROVENANCE_BYTES} bytes: not a provenance file`,
          key,
        );
      }
      throw error;
    }
    this.#keyring ??= this.#keyringSource.publicKeys().then(readPublicKeyring);
    // A failed keyring read is not cached: the next upload tries again.
    const keyring = await this.#keyring.catch((error: unknown) => {
      this.#keyring = undefined;
      throw error;
    });
    const verdict = await verifyProvenance(text, keyring, {
      ...chart,
      archiveName: archiveNameOf(object.key),
    });
    return verdict.ok ? verdict : { ...verdict, path: key };
  }
}

/**
 * The chart object a `<chart>.tgz.prov` upload stands for, or `undefined` when `object` is not such a
 * provenance upload. Its version id, size and ETag are the `.prov`'s, not the chart's: dropped, so the
 * newest chart at that key is read.
 */
export const chartOfProvenanceUpload = (object: ObjectCreated, prefix: string): ObjectCreated | undefined => {
  if (!object.key.endsWith('.prov') || !object.key.startsWith(prefix)) return undefined;
  const key = object.key.slice(0, -'.prov'.length);
  const lower = key.toLowerCase();
  if (!lower.endsWith('.tgz') && !lower.endsWith('.tar.gz')) return undefined;
  // The chart's key reads two ways when the .prov's does (functions/events/s3-key-encoding.ts).
  const delivered = object.deliveredKey?.endsWith('.prov')
    ? object.deliveredKey.slice(0, -'.prov'.length)
    : undefined;
  return {
    bucket: object.bucket,
    key,
    ...(delivered === undefined ? {} : { deliveredKey: delivered }),
    eventTime: object.eventTime,
  };
};
