import type { SecretFormat } from './secret-reader';

/**
 * The feedback endpoint's generic-hmac key: the Flux Provider secret's `token`, stored as the token
 * itself or JSON `{"token": "…"}`; returned as the bytes HMAC-SHA256 is keyed with
 * (https://fluxcd.io/flux/components/notification/providers/#generic-webhook-with-hmac).
 */
export const WEBHOOK_KEY: SecretFormat<Uint8Array> = {
  label: 'webhook secret',
  code: 'WEBHOOK_KEY_UNAVAILABLE',
  parse: (text, fail) => {
    let token = text;
    if (text.trimStart().startsWith('{')) {
      let value: { token?: unknown };
      try {
        value = JSON.parse(text) as typeof value;
      } catch {
        return fail('SecretString starts like JSON but does not parse');
      }
      if (typeof value.token !== 'string') return fail('no "token" field');
      token = value.token;
    }
    // An empty key would make every body "signed": refuse it rather than verify against it.
    if (token === '') return fail('the key is empty');
    return new TextEncoder().encode(token);
  },
};
