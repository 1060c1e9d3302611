import { refusalsJson, refusedReport } from '../refusal-report';
import type { ObservedOutcome, PushedObject } from './outcome-source';

const uriOf = (object: PushedObject): string => `s3://${object.bucket}/${object.key}`;

const subjectOf = (outcome: ObservedOutcome, object: PushedObject): string =>
  outcome.chart ? `${outcome.chart}${outcome.version ? ` ${outcome.version}` : ''}` : uriOf(object);

/** What `push --wait` prints once the pipeline has answered (stdout, for people). */
export const outcomeReport = (outcome: ObservedOutcome, object: PushedObject): string => {
  const subject = subjectOf(outcome, object);
  const where = outcome.environment ? ` ${outcome.environment}` : '';
  const why = outcome.message ? `: ${outcome.message}` : '';
  const note = outcome.partial ? `(${outcome.partial})\n` : '';
  switch (outcome.status) {
    case 'promoted':
      return `promoted ${subject} to${where || ' its environment'}: commit ${outcome.commit ?? '(not recorded)'}\n`;
    case 'unchanged':
      return `unchanged ${subject} in${where || ' its environment'}${why} (nothing committed)\n`;
    case 'superseded':
      return `superseded ${subject} in${where || ' its environment'}${why}: not promoted\n`;
    case 'refused':
      return `${refusedReport(subject, outcome.refusals)}${note}`;
    case 'ignored':
      return `ignored ${uriOf(object)}: ${outcome.code ?? ''}${why}\n`;
    case 'dead-lettered':
      return `failed ${uriOf(object)}${outcome.code ? `: ${outcome.code}` : ''}${why}\n`;
    case 'gone':
      return `gone ${uriOf(object)}${why}\n`;
  }
};

/** The outcome inside `push --wait --json`. */
export const outcomeJson = (outcome: ObservedOutcome) => ({
  status: outcome.status,
  ...(outcome.runId ? { runId: outcome.runId } : {}),
  chart: outcome.chart ?? null,
  version: outcome.version ?? null,
  environment: outcome.environment ?? null,
  commit: outcome.commit ?? null,
  ...(outcome.code ? { code: outcome.code } : {}),
  ...(outcome.message ? { message: outcome.message } : {}),
  ...(outcome.status === 'refused' ? { refusals: refusalsJson(outcome.refusals) } : {}),
  ...(outcome.partial ? { partial: outcome.partial } : {}),
});
