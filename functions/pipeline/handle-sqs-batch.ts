import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type ObjectCreated, parseEventBody } from '../events';
import { looksLikeCommand, type PromotionCommand, parsePromotionCommand } from '../ports/promotion-command';
import type { PipelineDependencies, PipelineSettings } from './pipeline-context';
import { promoteUploads } from './promote-uploads';
import { type CommandOutcome, runPromotionCommand } from './run-promotion-command';
import type { UploadOutcome } from './upload-outcome';

export interface BatchResult {
  readonly response: SQSBatchResponse;
  readonly outcomes: readonly UploadOutcome[];
  /** One per promotion-command message, in batch order (absent from batches without commands). */
  readonly commands?: readonly CommandOutcome[];
}

interface RecordObjects {
  readonly record: SQSRecord;
  readonly objects: readonly ObjectCreated[];
  /** A promotion command (promotion-command.ts) instead of S3 events. */
  readonly command?: PromotionCommand;
  /** Why the message body could not be read, when it could not. */
  readonly unreadable?: string;
}

/** The body as a command, when it announces itself as one (`{"chartPromoter": …}`). */
const commandIn = (body: string): PromotionCommand | undefined => {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  return looksLikeCommand(value) ? parsePromotionCommand(value) : undefined;
};

const readRecord = (record: SQSRecord, deps: PipelineDependencies): RecordObjects => {
  try {
    const command = commandIn(record.body);
    if (command) return { record, objects: [], command };
    const parsed = parseEventBody(record.body);
    for (const ignored of parsed.ignored) {
      deps.logger.info(`ignored event: ${ignored.reason}`, {
        messageId: record.messageId,
        reason: ignored.message,
      });
    }
    return { record, objects: parsed.objects };
  } catch (error) {
    return { record, objects: [], unreadable: error instanceof Error ? error.message : String(error) };
  }
};

/**
 * The promote function: an SQS batch of S3 "Object Created" events in, one commit per batch out;
 * promotion commands (scheduled or manual environment moves) in the same queue run after it.
 * A message fails (and is redelivered, then dead-lettered after the queue's max receives) when one
 * of its objects needs a retry, or when its body is unreadable: kept in the DLQ for a human rather
 * than dropped. Partial batch responses via Powertools' batch utility:
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/
 */
export const handleSqsBatch = async (
  event: SQSEvent,
  deps: PipelineDependencies,
  settings: PipelineSettings,
): Promise<BatchResult> => {
  const records = event.Records.map((record) => readRecord(record, deps));
  const flat = records.flatMap((entry) =>
    entry.objects.map((object) => ({ messageId: entry.record.messageId, object })),
  );
  const outcomes = await promoteUploads(
    flat.map((entry) => entry.object),
    deps,
    settings,
  );

  const commands: { messageId: string; outcome: CommandOutcome }[] = [];
  // After the uploads' commit: commands move versions that are already in the repository.
  for (const entry of records) {
    if (!entry.command) continue;
    commands.push({
      messageId: entry.record.messageId,
      outcome: await runPromotionCommand(entry.command, deps, settings),
    });
  }

  const failures = new Map<string, string>();
  for (const entry of records) {
    if (entry.unreadable === undefined) continue;
    deps.logger.error('unreadable message: left for the dead-letter queue', {
      messageId: entry.record.messageId,
      reason: entry.unreadable,
    });
    failures.set(entry.record.messageId, `EVENT_UNRECOGNISED: ${entry.unreadable}`);
  }
  flat.forEach((entry, i) => {
    const outcome = outcomes[i]!;
    if (outcome.status === 'retry') failures.set(entry.messageId, `${outcome.code}: ${outcome.message}`);
  });
  for (const { messageId, outcome } of commands) {
    if (outcome.status === 'retry') failures.set(messageId, `${outcome.code}: ${outcome.message}`);
  }

  const processor = new BatchProcessor(EventType.SQS);
  const response = await processPartialResponse(
    event,
    async (record: SQSRecord) => {
      const failure = failures.get(record.messageId);
      if (failure !== undefined) throw new Error(failure);
    },
    processor,
    { throwOnFullBatchFailure: false },
  );
  return { response, outcomes, ...(commands.length > 0 ? { commands: commands.map((c) => c.outcome) } : {}) };
};
