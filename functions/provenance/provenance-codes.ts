/**
 * Stable refusal codes of provenance verification (contract: documented in the README; never reuse
 * one for another meaning). Both are terminal: the upload is refused, tagged, and never retried.
 * - `PROVENANCE_MISSING`: the policy requires provenance and no `<key>.prov` object sits beside the chart;
 * - `PROVENANCE_INVALID`: the `.prov` is malformed, its signature does not verify, it was signed by a key
 *   outside the configured keyring, or the chart it describes (name, version, archive digest) is not
 *   the uploaded one.
 */
export const PROVENANCE_REFUSAL_CODES = ['PROVENANCE_MISSING', 'PROVENANCE_INVALID'] as const;

export type ProvenanceRefusalCode = (typeof PROVENANCE_REFUSAL_CODES)[number];

/** Who signed a chart, as the keyring knows them. */
export interface Signer {
  /** Fingerprint (hex, lower case) of the primary key the signing key belongs to. */
  readonly fingerprint: string;
  /** Key id (16 hex digits) the signature names: the signing (sub)key. */
  readonly keyId: string;
  readonly userIds: readonly string[];
}

export type ProvenanceVerdict =
  | { readonly ok: true; readonly signer: Signer }
  | {
      readonly ok: false;
      readonly code: ProvenanceRefusalCode;
      readonly message: string;
      /** The object the verdict is about (`<key>.prov`), for logs. */
      readonly path?: string;
    };

export const provenanceRefused = (
  code: ProvenanceRefusalCode,
  message: string,
  path?: string,
): ProvenanceVerdict =>
  path === undefined ? { ok: false, code, message } : { ok: false, code, message, path };
