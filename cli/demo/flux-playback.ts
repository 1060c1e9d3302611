import { type ClusterState, readClusterState, readReleaseAt } from '../../functions/local/cluster-state';
import { type HelmReleaseEventReason, helmReleaseEvent } from '../../functions/local/flux-release-event';
import type { LocalRuntime } from '../../functions/local/local-runtime';
import type { PromotionRecord } from '../../functions/local/promotion-record';
import type { ReleaseState } from '../../functions/promotion/manifests/release-annotations';
import { isValuesRun } from '../../functions/promotion/values/values-change';

/**
 * The demo plays Flux: for every release the pipeline changed in this run, it posts what Flux's
 * helm-controller would report once the upgrade went through (InstallSucceeded for a first install,
 * UpgradeSucceeded otherwise; revision = chart version, run-id = the release's annotation) and, when
 * the HelmRelease enables Helm tests (`spec.test.enable`), TestSucceeded after it, as helm-controller
 * runs the tests after the release (internal/reconcile/atomic_release.go); each signed as the
 * generic-hmac provider signs it, to the runtime's feedback endpoint. Everything after that is the
 * real pipeline: the feedback handler promotes (or schedules after the soak), the scheduler commits,
 * and each environment so changed is reported in turn. A gated environment gets a proposal branch
 * that nobody merges here, so Flux never reports it. Releases that did not change (a re-run) get no
 * event, as with Flux: nothing is promoted twice, no branch is pushed again.
 */
export interface Change {
  readonly chart: string;
  readonly version: string;
  readonly environment: string;
}

export interface PlaybackStep {
  /** Since the demo started. */
  readonly atMs: number;
  readonly chart: string;
  readonly version?: string;
  readonly environment: string;
  /** `flux-event` (what "Flux" reported and how the endpoint answered), or a promotion record's status. */
  readonly action: string;
  readonly detail: string;
  readonly leadTimeMs?: number;
  readonly commit?: string;
  readonly branch?: string;
  /** The pull (merge) request a gated move opened or updated, on hosts that have them. */
  readonly url?: string;
  /** A refused or failed move, or an event the endpoint did not accept. */
  readonly failed?: true;
}

export interface PlaybackResult {
  readonly steps: readonly PlaybackStep[];
  /** Upload → ready, per `<environment>/<chart>`, for the environments reported ready in this run. */
  readonly leadTimes: ReadonlyMap<string, number>;
  readonly state: ClusterState;
}

const short = (sha: string | undefined): string => (sha ? sha.slice(0, 12) : '');

const recordDetail = (record: PromotionRecord): string => {
  switch (record.status) {
    case 'scheduled':
      return `scheduled after the soak: not before ${record.notBefore}`;
    case 'committed':
      return `committed ${short(record.commit)}`;
    case 'branch-pushed':
      return `branch ${record.branch} pushed (${short(record.commit)}): merge it to deploy`;
    case 'pull-request':
      return `pull request ${record.url}`;
    default:
      return `${record.status}${record.code ? ` ${record.code}` : ''}${record.message ? `: ${record.message}` : ''}`;
  }
};

export class FluxPlayer {
  readonly #runtime: LocalRuntime;
  readonly #started: number;
  readonly #steps: PlaybackStep[] = [];
  readonly #records: PromotionRecord[] = [];
  readonly #onStep: (step: PlaybackStep) => void;
  /** Records that arrive while an event is being posted: shown after the event that caused them. */
  #held: PromotionRecord[] | undefined;

  constructor(runtime: LocalRuntime, started: number, onStep: (step: PlaybackStep) => void = () => {}) {
    this.#runtime = runtime;
    this.#started = started;
    this.#onStep = onStep;
  }

  /** Wire to the runtime's `onPromotions`: every move it makes or schedules becomes a step. */
  observe(records: readonly PromotionRecord[]): void {
    this.#records.push(...records);
    if (this.#held) this.#held.push(...records);
    else this.#recordSteps(records);
  }

  #recordSteps(records: readonly PromotionRecord[]): void {
    for (const record of records) {
      this.#step({
        chart: record.chart,
        ...(record.version === undefined ? {} : { version: record.version }),
        environment: record.environment,
        action: record.status,
        detail: recordDetail(record),
        ...(record.commit === undefined ? {} : { commit: record.commit }),
        ...(record.branch === undefined ? {} : { branch: record.branch }),
        ...(record.url === undefined ? {} : { url: record.url }),
        ...(record.status === 'refused' || record.status === 'retry' ? { failed: true as const } : {}),
      });
    }
  }

  /** Reports `changes` (the dev commits of this run) and every environment they lead to, wave by wave. */
  async play(
    changes: readonly Change[],
    charts: readonly Change[],
    timeoutMs = 60_000,
  ): Promise<PlaybackResult> {
    const leadTimes = new Map<string, number>();
    const reported = new Set<string>();
    let wave = [...changes];
    while (wave.length > 0) {
      const seen = this.#records.length;
      for (const change of wave) {
        const key = `${change.environment}/${change.chart}/${change.version}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const leadTime = await this.#report(change);
        if (leadTime !== undefined) leadTimes.set(`${change.environment}/${change.chart}`, leadTime);
      }
      await this.#promotionsIdle(timeoutMs);
      wave = this.#records
        .slice(seen)
        .filter((r) => r.command === 'promote' && r.status === 'committed' && r.version !== undefined)
        .map((r) => ({ chart: r.chart, version: r.version!, environment: r.environment }));
    }
    const { branch, environment, clusterRepo } = this.#runtime;
    const state = await readClusterState(clusterRepo, branch, environment, charts);
    return { steps: [...this.#steps], leadTimes, state };
  }

  async #report(change: Change): Promise<number | undefined> {
    const { clusterRepo, branch } = this.#runtime;
    const release = await readReleaseAt(clusterRepo, branch, change.environment, change.chart);
    if (release?.version !== change.version) return undefined; // moved on since: nothing to report
    // A values change upgrades a release that is already installed (helm-controller reports
    // UpgradeSucceeded for any upgrade, whatever changed).
    const released: HelmReleaseEventReason =
      release.previousVersion || isValuesRun(release.runId) ? 'UpgradeSucceeded' : 'InstallSucceeded';
    const reasons: HelmReleaseEventReason[] = release.testsEnabled ? [released, 'TestSucceeded'] : [released];
    let leadTime: number | undefined;
    for (const reason of reasons) leadTime = (await this.#post(change, release, reason)) ?? leadTime;
    return leadTime;
  }

  /** Posts one event about `release`; returns the lead time when the endpoint found it converged. */
  async #post(
    change: Change,
    release: ReleaseState,
    reason: HelmReleaseEventReason,
  ): Promise<number | undefined> {
    const namespace = release.namespace ?? change.environment;
    const name = release.name ?? change.chart;
    const event = helmReleaseEvent({
      namespace,
      name,
      reason,
      revision: release.version,
      ...(release.runId === undefined ? {} : { runId: release.runId }),
      timestamp: new Date(),
    });
    const held: PromotionRecord[] = [];
    this.#held = held;
    // The durable path: the endpoint answers 202 once the event is on the feedback queue, and the
    // worker acts on it; the playback waits for the worker (its promotions are this step's records).
    const { response, worked } = await this.#runtime.signAndDeliver(event).finally(() => {
      this.#held = undefined;
    });
    const outcome = worked?.status === 'handled' ? worked.outcome : undefined;
    const leadTimeMs =
      outcome?.status === 'converged' && 'leadTimeMs' in outcome ? outcome.leadTimeMs : undefined;
    const why =
      outcome?.status === 'ignored'
        ? ` (${outcome.reason})`
        : worked?.status === 'dead-lettered'
          ? ` (dead-lettered: ${worked.code})`
          : '';
    const body = { status: outcome?.status ?? worked?.status ?? response.body.status };
    const accepted = response.statusCode === 202 && worked?.status === 'handled';
    this.#step({
      ...change,
      action: 'flux-event',
      detail: `Flux reports ${reason} for HelmRelease ${namespace}/${name} (revision ${release.version}) → ${
        response.statusCode
      } ${body.status}${why}${leadTimeMs === undefined ? '' : `, ready ${(leadTimeMs / 1000).toFixed(1)} s after upload`}`,
      ...(leadTimeMs === undefined ? {} : { leadTimeMs }),
      ...(accepted ? {} : { failed: true as const }),
    });
    this.#recordSteps(held);
    return leadTimeMs;
  }

  async #promotionsIdle(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`promotions still pending after ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.#runtime.promotionsIdle(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #step(step: Omit<PlaybackStep, 'atMs'>): void {
    const full = { atMs: Date.now() - this.#started, ...step };
    this.#steps.push(full);
    this.#onStep(full);
  }
}
