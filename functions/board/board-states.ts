import type { ReleaseState } from '../ports/release-ledger';

/**
 * How the board tells states apart. Colour is never the only cue (WCAG 2.2 SC 1.4.1 Use of Color):
 * every state and status is written out as a word, with a glyph before it, and the colour pairs in
 * board-styles.ts keep at least 4.5:1 contrast (SC 1.4.3), checked in Chromium by the board tests.
 */
export type Tone = 'good' | 'active' | 'waiting' | 'bad' | 'warn' | 'reverted' | 'neutral';

export interface StateLook {
  readonly tone: Tone;
  /** Decorative (aria-hidden): the word carries the meaning. */
  readonly glyph: string;
  /** Needs a human: shown by "attention only" and counted first in the summary. */
  readonly attention: boolean;
}

export const STATE_LOOKS: Readonly<Record<ReleaseState, StateLook>> = {
  converged: { tone: 'good', glyph: '✓', attention: false },
  committed: { tone: 'active', glyph: '↑', attention: false },
  proposed: { tone: 'waiting', glyph: '◇', attention: false },
  failed: { tone: 'bad', glyph: '✗', attention: true },
  'not-converged': { tone: 'warn', glyph: '◷', attention: true },
  'rolled-back': { tone: 'reverted', glyph: '↩', attention: true },
};

/** The order of the summary line and the legend: what needs a human first. */
export const STATE_ORDER: readonly ReleaseState[] = [
  'failed',
  'not-converged',
  'rolled-back',
  'proposed',
  'committed',
  'converged',
];

/** A state the ledger may send that this build does not know yet: shown as its word, neutral. */
export const lookOfState = (state: string): StateLook =>
  (STATE_LOOKS as Readonly<Record<string, StateLook>>)[state] ?? {
    tone: 'neutral',
    glyph: '•',
    attention: false,
  };

const RUN_TONES: Readonly<Record<string, Tone>> = {
  promoted: 'good',
  converged: 'good',
  committed: 'active',
  'pull-request': 'waiting',
  'branch-pushed': 'waiting',
  proposed: 'waiting',
  scheduled: 'waiting',
  deferred: 'waiting',
  refused: 'bad',
  failed: 'bad',
  'not-converged': 'warn',
  retry: 'warn',
  'rolled-back': 'reverted',
};

/** The tone of a run's status (upload outcomes and environment moves); unknown ones are neutral. */
export const toneOfRunStatus = (status: string): Tone => RUN_TONES[status] ?? 'neutral';
