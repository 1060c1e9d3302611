import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_FRESHNESS } from '../feedback/event-freshness';
import {
  DEFAULT_MAX_BODY_BYTES,
  type FeedbackDependencies,
  type FeedbackSettings,
} from '../feedback/feedback-context';
import { parseFluxEvent } from '../feedback/flux-event';
import { type FeedbackRequest, type FeedbackResponse, handleFeedback } from '../feedback/handle-feedback';
import { signBody } from '../feedback/hmac-signature';
import { ReplayCache } from '../feedback/replay-cache';
import type { PipelineDependencies, PipelineSettings } from '../pipeline/pipeline-context';
import { runPromotionCommand } from '../pipeline/run-promotion-command';
import type { PromotionCommand } from '../ports/promotion-command';
import { InMemoryScheduler } from '../ports/scheduler';
import { startFeedbackServer } from './feedback-server';
import { marshalLikeGo } from './flux-release-event';
import { commandRecord, feedbackRecords, type PromotionRecord } from './promotion-record';
import { appendPromotions } from './run-log';
import { SchedulerLoop } from './scheduler-loop';
import { ensureWebhookToken, WEBHOOK_TOKEN_FILE } from './webhook-token';

/**
 * The feedback half of the embedded runtime: the endpoint Flux's notification-controller would call
 * (generic-hmac, key = the work dir's webhook token) and the scheduler that runs promotions once their
 * soak is over. Same domain code as the feedback and promote Lambdas, same git host, logger and
 * metrics as the runtime's upload pipeline.
 */
export interface LocalFeedbackOptions {
  readonly workdir: string;
  /** The runtime's pipeline. */
  readonly deps: PipelineDependencies;
  /** Where soaking promotions wait (share it with the pipeline's deps). @default a new one */
  readonly scheduler?: InMemoryScheduler;
  readonly settings: PipelineSettings;
  /** The run log every environment move is appended to. */
  readonly runLog: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** How often due commands are looked for. @default 250 */
  readonly schedulerIntervalMs?: number;
  readonly onPromotions?: (records: readonly PromotionRecord[]) => void;
}

export interface LocalFeedback {
  /** `http://127.0.0.1:<port>/`: where a Flux generic-hmac Provider would post. */
  readonly url: string;
  /** The HMAC key (the Provider secret's `token`), kept in `<workdir>/webhook-token`. */
  readonly webhookToken: string;
  readonly scheduler: InMemoryScheduler;
  readonly loop: SchedulerLoop;
  /** Posts `event` (any JSON value) as Flux would: JSON body, `X-Signature: sha256=<hmac>`. */
  signAndPost(event: unknown): Promise<FeedbackResponse>;
  close(): Promise<void>;
}

const runIdOf = (body: Uint8Array): string | undefined => {
  const parsed = parseFluxEvent(JSON.parse(new TextDecoder().decode(body)));
  return parsed.ok ? parsed.event.runId : undefined;
};

export const startLocalFeedback = async (options: LocalFeedbackOptions): Promise<LocalFeedback> => {
  const { settings } = options;
  const webhookToken = await ensureWebhookToken(join(options.workdir, WEBHOOK_TOKEN_FILE));
  const key = new TextEncoder().encode(webhookToken);
  const scheduler = options.scheduler ?? new InMemoryScheduler();
  const deps: PipelineDependencies = { ...options.deps, scheduler };
  const record = async (records: PromotionRecord[]): Promise<void> => {
    await appendPromotions(options.runLog, records);
    if (records.length > 0) options.onPromotions?.(records);
  };

  const feedbackDeps: FeedbackDependencies = {
    host: deps.host,
    clock: deps.clock,
    logger: deps.logger,
    metrics: deps.metrics,
    scheduler,
    newRunId: randomUUID,
    replay: new ReplayCache(1000, DEFAULT_FRESHNESS.maxAgeMs + DEFAULT_FRESHNESS.maxSkewMs),
    hmacKey: async () => key,
  };
  const feedbackSettings: FeedbackSettings = {
    branch: settings.branch,
    fallbackEnvironment: settings.targetEnvironment,
    plan: settings.plan,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    freshness: DEFAULT_FRESHNESS,
  };
  const handle = async (request: FeedbackRequest): Promise<FeedbackResponse> => {
    const response = await handleFeedback(request, feedbackDeps, feedbackSettings);
    const body = response.body;
    if (body.status === 'converged' || body.status === 'failed') {
      const subject = { chart: body.chart, version: body.version, runId: runIdOf(request.body) };
      await record(feedbackRecords(subject, body, deps.clock.now()));
    }
    return response;
  };

  const server = await startFeedbackServer({
    handle,
    maxBodyBytes: feedbackSettings.maxBodyBytes,
    ...(options.port === undefined ? {} : { port: options.port }),
    onError: (error) => deps.logger.error('feedback endpoint failed', { error: error as Error }),
  });
  const loop = new SchedulerLoop({
    scheduler,
    clock: deps.clock,
    ...(options.schedulerIntervalMs === undefined ? {} : { intervalMs: options.schedulerIntervalMs }),
    run: async (command: PromotionCommand) => {
      // runPromotionCommand logs the outcome itself (and re-schedules a command that is early).
      const outcome = await runPromotionCommand(command, deps, settings);
      await record([commandRecord(outcome, 'scheduled', deps.clock.now())]);
    },
    onError: (error, command) =>
      deps.logger.error('scheduled promotion failed', { command, error: error as Error }),
  });

  return {
    url: server.url,
    webhookToken,
    scheduler,
    loop,
    signAndPost: async (event) => {
      // The bytes Flux's forwarder signs and sends (Go's encoding/json).
      const body = marshalLikeGo(event);
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody(key, body) },
        body,
      });
      return { statusCode: response.status, body: (await response.json()) as FeedbackResponse['body'] };
    },
    close: async () => {
      await server.close();
      const dropped = await loop.stop();
      if (dropped.length > 0)
        deps.logger.warn('stopping: scheduled promotions dropped (their soak had not ended)', { dropped });
    },
  };
};
