import { describe, expect, it } from 'vitest';
import { parseSecret } from '../../../../functions/adapters/secrets/secret-reader';
import { WEBHOOK_KEY } from '../../../../functions/adapters/secrets/webhook-key';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flux-hmac-AbCdEf';
const read = (text: string) => new TextDecoder().decode(parseSecret(WEBHOOK_KEY, ARN, text));

describe('the webhook key format (the Flux Provider secret’s token)', () => {
  it('takes the token itself, or JSON {"token": "…"}, as the HMAC key bytes', () => {
    expect(read('s3cr3t-hmac')).toBe('s3cr3t-hmac');
    expect(read('{"token": "s3cr3t-hmac"}')).toBe('s3cr3t-hmac');
  });

  it.each([
    ['', 'the key is empty'],
    ['{"token": ""}', 'the key is empty'],
    ['{"password": "hunter2"}', 'no "token" field'],
    ['{"token": hunter2', 'SecretString starts like JSON but does not parse'],
  ])('refuses %j as a retryable WEBHOOK_KEY_UNAVAILABLE without quoting it', (text, message) => {
    const error = (() => {
      try {
        read(text);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toMatchObject({ code: 'WEBHOOK_KEY_UNAVAILABLE', disposition: 'retryable' });
    expect(error.message).toBe(`webhook secret ${ARN}: ${message}`);
    expect(error.message).not.toContain('hunter2');
  });
});
