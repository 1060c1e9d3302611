import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Flux's `generic-hmac` provider signs the JSON body it posts: header `X-Signature: sha256=<hex>`,
 * HMAC-SHA256 keyed with the Provider secret's `token`, over the exact body bytes.
 * https://fluxcd.io/flux/components/notification/providers/#generic-webhook-with-hmac
 *
 * Verified over the RAW bytes (never a re-serialised JSON), compared in constant time after the
 * lengths are checked (timingSafeEqual throws on unequal lengths). Only sha256 is accepted: Flux
 * sends nothing else, and accepting sha1 would let a downgrade through.
 */
export type SignatureCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason:
        | 'SIGNATURE_MISSING'
        | 'SIGNATURE_MALFORMED'
        | 'SIGNATURE_ALGORITHM'
        | 'SIGNATURE_MISMATCH';
    };

const HEADER = /^([A-Za-z0-9-]+)=([0-9a-fA-F]*)$/;

export const signBody = (key: Uint8Array, body: Uint8Array): string =>
  `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

export const verifySignature = (
  key: Uint8Array,
  body: Uint8Array,
  header: string | undefined,
): SignatureCheck => {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'SIGNATURE_MISSING' };
  const match = HEADER.exec(header.trim());
  if (!match) return { ok: false, reason: 'SIGNATURE_MALFORMED' };
  if (match[1]!.toLowerCase() !== 'sha256') return { ok: false, reason: 'SIGNATURE_ALGORITHM' };
  const hex = match[2]!;
  if (hex.length !== 64) return { ok: false, reason: 'SIGNATURE_MALFORMED' };
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', key).update(body).digest();
  if (given.length !== expected.length) return { ok: false, reason: 'SIGNATURE_MALFORMED' };
  return timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'SIGNATURE_MISMATCH' };
};
