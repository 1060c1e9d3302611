/**
 * chart-promoter's programmatic entry (`package.json` "exports"): the functions the Lambda functions
 * and the `chart-promoter` command themselves run, for scripts, checks and other tools that drive
 * them without reaching into internals. Three jobs (ARCHITECTURE.md, "Programmatic entry"):
 *
 * - create a Git host from typed settings (the registry the compositions use):
 *   `await createGitHost('github', { repository: 'acme/cluster', credentials, workDir })`;
 * - inspect a chart archive exactly as the pipeline does (static checks, then helm lint + template
 *   with a renderer): `await intakeChart(bytes, { renderer: new HelmChartRenderer({ helmPath }) })`;
 * - plan a promotion on the repository as it is now, committing nothing (`planUploads`,
 *   `planEnvironmentMove`), or commit it (`commitUploads`, `runEnvironmentMove`: the one commit loop).
 *
 * Everything else is internal and may move between versions.
 */

export type {
  GitCredentials,
  GitHostDescriptor,
  GitHostSettings,
  GitHostWiring,
} from './adapters/git-hosts/descriptor';
export {
  createGitHost,
  DEFAULT_GIT_HOST_KIND,
  GIT_HOST_KINDS,
  GIT_HOSTS,
  type GitHostKind,
  gitHostDescriptor,
  isGitHostKind,
} from './adapters/git-hosts/registry';
export { HelmChartRenderer, type HelmChartRendererOptions } from './adapters/helm-chart-renderer';
export { layerBinaryPath } from './adapters/layer-binaries';
export {
  type Chart,
  type ChartFile,
  DEFAULT_INTAKE_LIMITS,
  type IntakeLimits,
  type IntakeResult,
} from './chart/chart';
export { type IntakeOptions, intakeChart } from './chart/intake';
export { REFUSAL_CODES, type Refusal, type RefusalCode } from './chart/refusal';
export { type Disposition, PromoterError } from './errors';
export type { ChartRenderer, RenderRequest, RenderResult } from './ports/chart-renderer';
export { type Clock, systemClock } from './ports/clock';
export type {
  ChangeSet,
  CommitResult,
  FileChange,
  GitHost,
  RepoSnapshot,
  SnapshotRequest,
} from './ports/git-host';
export { GitHostError, type GitHostErrorCode } from './ports/git-host-error';
export { CommitContendedError } from './promotion/commit-loop';
export { DEFAULT_LAYOUT, type RepositoryLayout } from './promotion/layout';
export {
  type EnvironmentMove,
  type MovePlan,
  moveSnapshotRequest,
  planEnvironmentMove,
} from './promotion/moves/environment-move';
export { type MoveOutcome, runEnvironmentMove } from './promotion/moves/run-environment-move';
export { parsePolicy } from './promotion/policy/parse-policy';
export { defaultPolicy, type PromotionPolicy } from './promotion/policy/policy';
export { readWithPolicy } from './promotion/policy/read-with-policy';
export type {
  PlanOptions,
  PromotionOutcome,
  PromotionRefusalCode,
  PromotionRequest,
} from './promotion/promotion';
export {
  commitUploads,
  planUploads,
  type UploadCommitOptions,
  type UploadPlan,
  type UploadPlanOptions,
  type UploadRequest,
  type UploadRun,
} from './promotion/uploads/commit-uploads';
