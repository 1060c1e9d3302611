import { describe, expect, it } from 'vitest';
import { parseFeedbackIngressConfig } from '../../functions/config/feedback-ingress-config';
import { parseFluxEvent } from '../../functions/feedback/flux-event';
import { parsePromotionCommand } from '../../functions/ports/promotion-command';

/**
 * The messages zod writes itself (no message given in the schema) stay the English ones classic zod
 * wrote before the functions moved to zod/mini, which registers no locale: functions/zod.ts does.
 * Each expected string is what the classic-zod schemas answered for the same input.
 */
describe("zod's own messages, through functions/zod.ts", () => {
  it('are English in a Flux event refusal (lengths, types, ISO datetimes)', () => {
    // Prepare
    const event = { involvedObject: { kind: '', name: 7 }, timestamp: 'yesterday', metadata: { a: 1 } };
    // Act
    const parsed = parseFluxEvent(event);
    // Assess
    expect(parsed).toEqual({
      ok: false,
      message:
        'not a Flux event: involvedObject.kind: Too small: expected string to have >=1 characters; ' +
        'involvedObject.name: Invalid input: expected string, received number; ' +
        'timestamp: Invalid ISO datetime; metadata.a: Invalid input: expected string, received number',
    });
  });

  it('are English in a promotion command refusal (too long, unknown key, discriminator)', () => {
    // Prepare
    const long = {
      chartPromoter: 'promote',
      chart: 'web',
      version: 'x'.repeat(130),
      to: 'staging',
      extra: 1,
    };
    // Act
    const tooLong = () => parsePromotionCommand(long);
    const unknown = () => parsePromotionCommand({ chartPromoter: 'demote' });
    // Assess
    expect(tooLong).toThrow(
      'invalid promotion command: version: Too big: expected string to have <=128 characters; ' +
        '(command): Unrecognized key: "extra"',
    );
    expect(unknown).toThrow(
      "invalid promotion command: chartPromoter: Invalid discriminator value. Expected 'promote' | 'rollback'",
    );
  });

  it('are English in a configuration refusal (not a number, not whole, not positive)', () => {
    // Prepare
    const env = {
      CHART_PROMOTER_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
      CHART_PROMOTER_FEEDBACK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo',
      CHART_PROMOTER_MAX_EVENT_AGE_SECONDS: 'abc',
      CHART_PROMOTER_MAX_CLOCK_SKEW_SECONDS: '1.5',
      CHART_PROMOTER_FEEDBACK_MAX_BODY_BYTES: '-3',
    };
    // Act
    const parse = () => parseFeedbackIngressConfig(env);
    // Assess
    expect(parse).toThrow(
      'invalid configuration: CHART_PROMOTER_MAX_EVENT_AGE_SECONDS: Invalid input: expected number, received NaN; ' +
        'CHART_PROMOTER_MAX_CLOCK_SKEW_SECONDS: Invalid input: expected int, received number; ' +
        'CHART_PROMOTER_FEEDBACK_MAX_BODY_BYTES: Too small: expected number to be >0',
    );
  });
});
