import { stringify } from 'yaml';

/**
 * The Flux objects that connect a cluster to chart-promoter (pure: options in, objects and file texts
 * out; `chart-promoter init` writes them, tests validate them against the Flux CRDs):
 *
 * - per environment, a Namespace (its HelmReleases live there) and a Kustomization
 *   (kustomize.toolkit.fluxcd.io/v1) applying ./environments/<env> from the cluster repository's
 *   GitRepository, with prune (a release removed from git is uninstalled);
 * - per environment namespace, a Provider (notification.toolkit.fluxcd.io/v1beta3, type
 *   generic-hmac) posting to the feedback URL, signed with the `token` of a Secret in that same
 *   namespace that is NOT written here (it is a secret), and an Alert sending that namespace's
 *   HelmRelease events to it. Everything an Alert refers to is in its own namespace, so the layout
 *   survives notification-controller's `--no-cross-namespace-refs=true` (see `releaseAlert`).
 *
 * https://fluxcd.io/flux/components/kustomize/kustomizations/
 * https://fluxcd.io/flux/components/notification/providers/#generic-webhook-with-hmac
 * https://fluxcd.io/flux/components/notification/alerts/
 */
export interface FluxBootstrapOptions {
  readonly feedbackUrl: string;
  /** In promotion order. */
  readonly environments: readonly string[];
  /** The GitRepository of the cluster repository (`flux bootstrap` names it flux-system). */
  readonly gitRepositoryName: string;
  /** Where Flux runs and these objects live. */
  readonly namespace: string;
  /** The Secret whose `token` is the HMAC key. */
  readonly secretName: string;
  /** The path given to `flux bootstrap --path` (its Kustomization applies everything below it). */
  readonly clusterPath: string;
  /** @default '10m' */
  readonly interval?: string;
}

export const DEFAULT_BOOTSTRAP = {
  gitRepositoryName: 'flux-system',
  namespace: 'flux-system',
  secretName: 'chart-promoter-webhook',
  clusterPath: 'clusters/my-cluster',
  environments: ['dev', 'staging', 'prod'],
} as const;

/** Also the name of the Provider and the Alert, and the folder of the files. */
export const NAME = 'chart-promoter';

export const environmentNamespace = (environment: string) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: environment },
});

export const environmentKustomization = (environment: string, options: FluxBootstrapOptions) => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: `${NAME}-${environment}`, namespace: options.namespace },
  spec: {
    interval: options.interval ?? '10m',
    path: `./environments/${environment}`,
    prune: true,
    sourceRef: { kind: 'GitRepository', name: options.gitRepositoryName },
  },
});

/**
 * How long notification-controller may take to deliver one event, its retries included: it posts
 * under `context.WithTimeout(provider.GetTimeout())` (default 15 s; internal/server/event_handlers.go,
 * api/v1beta3/provider_types.go), with go-retryablehttp retrying 5xx, 429 and connection errors 4
 * times after 2, 4, 8 and 16 s (internal/notifier/client.go `newHTTPClient`) inside that same
 * deadline. One minute holds all five attempts even when the first meets a cold start (Lambda allows
 * its init phase 10 s) and leaves 15 s for the five answers; the endpoint acknowledges in well under
 * a second once warm, so a healthy delivery never comes near it.
 */
export const PROVIDER_TIMEOUT = '1m';

export const webhookProvider = (environment: string, options: FluxBootstrapOptions) => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Provider',
  metadata: { name: NAME, namespace: environment },
  spec: {
    type: 'generic-hmac',
    address: options.feedbackUrl,
    // Read from the Provider's own namespace (event_handlers.go `createNotifier`: getSecret(…, provider.GetNamespace())).
    secretRef: { name: options.secretName },
    timeout: PROVIDER_TIMEOUT,
  },
});

/**
 * The Alert of one environment namespace. notification-controller started with
 * `--no-cross-namespace-refs=true` discards every event whose object is in another namespace than the
 * Alert ("cross-namespace references have been blocked", internal/server/event_handlers.go
 * `getNotificationParams`), and an Alert's providerRef names a Provider of its own namespace: so one
 * Alert and one Provider per environment namespace, the source's namespace left out (it then defaults
 * to the Alert's: `eventMatchesAlertSources`).
 */
export const releaseAlert = (environment: string) => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Alert',
  metadata: { name: NAME, namespace: environment },
  spec: {
    providerRef: { name: NAME },
    // info: successes too (InstallSucceeded/UpgradeSucceeded/TestSucceeded drive the promotions), not
    // only errors (eventMatchesAlertSource: an info Alert takes every severity).
    eventSeverity: 'info',
    eventSources: [{ kind: 'HelmRelease', name: '*' }],
  },
});

export interface BootstrapFile {
  /** Relative to the root of the cluster repository. */
  readonly path: string;
  readonly content: string;
  /** The Flux objects in the file (what tests validate). */
  readonly objects: readonly object[];
}

const documents = (header: string, objects: readonly object[]): string =>
  `${header}${objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n')}`;

export const bootstrapFiles = (options: FluxBootstrapOptions): BootstrapFile[] => {
  const dir = `${options.clusterPath.replace(/\/+$/, '')}/${NAME}`;
  const namespaces = options.environments.map(environmentNamespace);
  const kustomizations = options.environments.map((e) => environmentKustomization(e, options));
  const notification = options.environments.flatMap((e) => [webhookProvider(e, options), releaseAlert(e)]);
  return [
    {
      path: `${dir}/kustomization.yaml`,
      objects: [],
      content: `# Written by \`chart-promoter init\`. Flux's bootstrap Kustomization (flux bootstrap --path
# ${options.clusterPath}) applies this folder with the rest of the cluster's configuration.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - namespaces.yaml
  - environments.yaml
  - notification.yaml
`,
    },
    {
      path: `${dir}/namespaces.yaml`,
      objects: namespaces,
      content: documents(
        '# One namespace per environment: its HelmReleases live there (chart-promoter writes them).\n',
        namespaces,
      ),
    },
    {
      path: `${dir}/environments.yaml`,
      objects: kustomizations,
      content: documents(
        `# One Flux Kustomization per environment: applies ./environments/<env> of the GitRepository
# ${options.gitRepositoryName}, where chart-promoter commits the HelmReleases. prune: a release removed
# from git is uninstalled. https://fluxcd.io/flux/components/kustomize/kustomizations/
`,
        kustomizations,
      ),
    },
    {
      path: `${dir}/notification.yaml`,
      objects: notification,
      content: documents(
        `# Flux reports every HelmRelease event of each environment to chart-promoter's feedback endpoint,
# signed with HMAC-SHA256 (header X-Signature: sha256=<hex>) keyed with the token of the Secret
# ${options.secretName} in that environment's namespace, which you create (never commit it):
${options.environments
  .map((e) => `#   kubectl -n ${e} create secret generic ${options.secretName} --from-literal=token=<key>`)
  .join('\n')}
# One Provider and one Alert per environment namespace: a Provider reads its Secret from its own
# namespace, and an Alert may only watch its own namespace where notification-controller runs with
# --no-cross-namespace-refs=true. timeout ${PROVIDER_TIMEOUT}: Flux's retries run inside it.
# chart-promoter reads the chart version (revision) and the run id (from the HelmRelease's
# event.toolkit.fluxcd.io/run-id annotation) of each event.
# https://fluxcd.io/flux/components/notification/providers/#generic-webhook-with-hmac
`,
        notification,
      ),
    },
  ];
};

/**
 * An empty environment for the Kustomization to apply until the first promotion adds releases
 * (kustomize refuses a kustomization.yaml with nothing in it, hence the empty list).
 */
export const emptyEnvironmentKustomization = `# Managed by chart-promoter: it adds one entry per release and never removes any. Add your own.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: []
`;
