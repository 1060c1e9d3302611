import { describe, expect, it } from 'vitest';
import { SqsScheduler } from '../../../functions/adapters/sqs-scheduler';
import { parseFeedbackConfig } from '../../../functions/config/feedback-config';
import { parseFeedbackIngressConfig } from '../../../functions/config/feedback-ingress-config';
import { checkFreshness } from '../../../functions/feedback/event-freshness';
import { nextHopSeconds } from '../../../functions/ports/scheduler';
import { FakeClock } from '../../support/feedback-harness';

const at = (iso: string) => new Date(iso);

describe('checkFreshness', () => {
  it('accepts the window, refuses older and future-beyond-skew timestamps', () => {
    const now = at('2026-03-01T10:00:00Z');
    expect(checkFreshness(at('2026-03-01T09:45:00Z'), now)).toEqual({ fresh: true });
    expect(checkFreshness(at('2026-03-01T09:44:59Z'), now)).toMatchObject({
      fresh: false,
      reason: 'EVENT_STALE',
    });
    expect(checkFreshness(at('2026-03-01T10:01:00Z'), now)).toEqual({ fresh: true });
    expect(checkFreshness(at('2026-03-01T10:01:01Z'), now)).toMatchObject({
      fresh: false,
      reason: 'EVENT_FROM_FUTURE',
    });
  });
});

describe('SqsScheduler', () => {
  it('sends the command with notBefore and a delay of at most 900 s per hop', async () => {
    // Prepare
    const sent: unknown[] = [];
    const clock = new FakeClock(at('2026-03-01T10:00:00Z'));
    const scheduler = new SqsScheduler({
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake',
      sendMessage: async (input) => void sent.push(input),
      clock,
    });
    // Act
    await scheduler.schedule(
      { chartPromoter: 'promote', chart: 'web', version: '1.0.0', from: 'dev', to: 'prod' },
      at('2026-03-01T11:00:00Z'),
    );
    // Assess
    expect(sent).toEqual([
      {
        QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake',
        DelaySeconds: 900,
        MessageBody: JSON.stringify({
          chartPromoter: 'promote',
          chart: 'web',
          version: '1.0.0',
          from: 'dev',
          to: 'prod',
          notBefore: '2026-03-01T11:00:00.000Z',
        }),
      },
    ]);
    expect(nextHopSeconds(at('2026-03-01T10:00:00Z'), at('2026-03-01T10:00:10.200Z'))).toBe(11);
    expect(nextHopSeconds(at('2026-03-01T10:00:00Z'), at('2026-03-01T09:00:00Z'))).toBe(0);
  });
});

describe('parseFeedbackIngressConfig', () => {
  const secret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flux-hmac-AbCdEf';
  const queue = 'https://sqs.eu-west-1.amazonaws.com/123456789012/feedback.fifo';
  it('needs the webhook secret ARN and the feedback queue, and reads the limits', () => {
    expect(() => parseFeedbackIngressConfig({})).toThrow(
      /CHART_PROMOTER_WEBHOOK_SECRET_ARN.*CHART_PROMOTER_FEEDBACK_QUEUE_URL/,
    );
    const config = parseFeedbackIngressConfig({
      CHART_PROMOTER_WEBHOOK_SECRET_ARN: secret,
      CHART_PROMOTER_FEEDBACK_QUEUE_URL: queue,
      CHART_PROMOTER_MAX_EVENT_AGE_SECONDS: '600',
    });
    expect(config).toEqual({
      webhookSecretArn: secret,
      feedbackQueueUrl: queue,
      maxEventAgeSeconds: 600,
      maxClockSkewSeconds: 60,
      maxBodyBytes: 65536,
    });
  });
});

describe('parseFeedbackConfig (the worker)', () => {
  const base = { CHART_PROMOTER_REPOSITORY: 'acme/cluster' };
  it('needs the ledger table and reads the receive count and how long events are remembered', () => {
    expect(() => parseFeedbackConfig(base)).toThrow(/CHART_PROMOTER_LEDGER_TABLE/);
    const config = parseFeedbackConfig({
      ...base,
      CHART_PROMOTER_LEDGER_TABLE: 'chart-promoter-ledger',
      CHART_PROMOTER_FEEDBACK_MAX_RECEIVES: '3',
    });
    expect(config).toMatchObject({
      repository: 'acme/cluster',
      ledgerTableName: 'chart-promoter-ledger',
      maxReceives: 3,
    });
    expect(config.rememberEventsSeconds).toBeUndefined();
    expect(config.intakeQueueUrl).toBeUndefined();
  });
});
