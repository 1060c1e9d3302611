import { resolve } from 'node:path';
import { isValidEnvironmentName } from '../../functions/promotion/layout';
import { CliError, type Command, EXIT, parseCommandArgs } from '../command';
import { columns } from '../format';
import { DEFAULT_BOOTSTRAP, type FluxBootstrapOptions, NAME, PROVIDER_TIMEOUT } from '../init/flux-objects';
import { INIT_SOAK, policyEnvironments, writeBootstrap } from '../init/write-bootstrap';

const HELP = `Usage: chart-promoter init --feedback-url URL [--dir DIR] [--environments dev,staging,prod]
                           [--git-repository-name NAME] [--namespace NS] [--cluster-path PATH]
                           [--secret-name NAME] [--force] [--json]

Write into a checkout of the cluster repository the Flux objects that connect it to chart-promoter,
into <cluster-path>/${NAME}/ (the folder \`flux bootstrap --path <cluster-path>\` applies):

  namespaces.yaml      a Namespace per environment
  environments.yaml    a Kustomization per environment, applying ./environments/<env> (prune: true)
  notification.yaml    per environment namespace, a Provider (generic-hmac, address = the feedback
                       URL, secretRef, timeout ${PROVIDER_TIMEOUT}) and an Alert sending that namespace's
                       HelmRelease events to it (works with --no-cross-namespace-refs=true)
  kustomization.yaml   lists the three

plus, when missing, a starter .chart-promoter.yaml (soak ${INIT_SOAK}, last environment by pull request)
and an empty environments/<env>/kustomization.yaml per environment. Then commit and push.
The HMAC secret is not written (never commit secrets): create it in each environment namespace with
  kubectl -n <env> create secret generic chart-promoter-webhook --from-literal=token=<key>
with the key the feedback endpoint verifies (AWS: the stack's webhook secret; local: DIR/webhook-token
of \`chart-promoter local\`).

Options:
${columns([
  [
    '--feedback-url URL',
    'where Flux posts events: the feedback function URL (stack output), or the local one (required)',
  ],
  ['--dir DIR', 'the checkout of the cluster repository (default: the current directory)'],
  [
    '--environments LIST',
    `comma-separated, in promotion order (default: those of .chart-promoter.yaml, else ${DEFAULT_BOOTSTRAP.environments.join(',')})`,
  ],
  [
    '--git-repository-name NAME',
    `the Flux GitRepository of the cluster repository (default: ${DEFAULT_BOOTSTRAP.gitRepositoryName})`,
  ],
  [
    '--namespace NS',
    `Flux's namespace, where the Kustomizations live (default: ${DEFAULT_BOOTSTRAP.namespace})`,
  ],
  [
    '--cluster-path PATH',
    `the \`flux bootstrap --path\` of this cluster (default: ${DEFAULT_BOOTSTRAP.clusterPath})`,
  ],
  [
    '--secret-name NAME',
    `the Secret holding the HMAC token, in each environment namespace (default: ${DEFAULT_BOOTSTRAP.secretName})`,
  ],
  [
    '--force',
    'replace existing Flux objects written by an earlier init (the policy and environments are never replaced)',
  ],
  [
    '--json',
    'print one JSON document: {ok, dir, written:[...], kept:[...]} or {ok:false, errors:[{code:"FILE_EXISTS", ...}]}',
  ],
  ['-h, --help', 'show this help'],
])}

Examples:
  chart-promoter init --feedback-url https://abc.lambda-url.eu-west-1.on.aws/ --dir ./fleet
  chart-promoter init --feedback-url http://127.0.0.1:8787/ --environments dev,prod --json

Exit codes:
${columns([
  ['0', 'written'],
  ['1', 'refused: a file exists (nothing written; --force replaces the Flux objects)'],
  ['2', 'usage error (missing or invalid URL, invalid environment name)'],
])}
`;

const feedbackUrl = (value: string | undefined): string => {
  if (value === undefined) throw new CliError('USAGE', 'missing option: --feedback-url URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError('USAGE', `--feedback-url is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new CliError('USAGE', `--feedback-url must be http(s), got ${url.protocol}`);
  return url.href;
};

const environmentList = (value: string): string[] => {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const invalid = names.filter((name) => !isValidEnvironmentName(name));
  if (names.length === 0 || invalid.length > 0)
    throw new CliError('USAGE', `--environments needs DNS-1123 names (a-z, 0-9, -), got: ${value}`);
  if (new Set(names).size !== names.length)
    throw new CliError('USAGE', `--environments repeats a name: ${value}`);
  return names;
};

export const initCommand = (): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values } = parseCommandArgs(
      args,
      {
        'feedback-url': { type: 'string' },
        dir: { type: 'string' },
        environments: { type: 'string' },
        'git-repository-name': { type: 'string' },
        namespace: { type: 'string' },
        'cluster-path': { type: 'string' },
        'secret-name': { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      { min: 0, max: 0, names: '' },
    );
    const dir = resolve(values.dir ?? '.');
    const environments =
      values.environments !== undefined
        ? environmentList(values.environments)
        : ((await policyEnvironments(dir)) ?? [...DEFAULT_BOOTSTRAP.environments]);
    const options: FluxBootstrapOptions = {
      feedbackUrl: feedbackUrl(values['feedback-url']),
      environments,
      gitRepositoryName: values['git-repository-name'] ?? DEFAULT_BOOTSTRAP.gitRepositoryName,
      namespace: values.namespace ?? DEFAULT_BOOTSTRAP.namespace,
      secretName: values['secret-name'] ?? DEFAULT_BOOTSTRAP.secretName,
      clusterPath: values['cluster-path'] ?? DEFAULT_BOOTSTRAP.clusterPath,
    };
    const result = await writeBootstrap(dir, options, values.force === true);
    if (!result.ok) {
      const message = `already there (nothing written; --force replaces them): ${result.existing.join(', ')}`;
      io.stderr.write(`chart-promoter init: ${message}\n`);
      if (values.json)
        io.stdout.write(
          `${JSON.stringify({ ok: false, dir, errors: [{ code: 'FILE_EXISTS', message, paths: result.existing }] })}\n`,
        );
      return EXIT.failed;
    }
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ ok: true, dir, environments, written: result.written, kept: result.kept })}\n`,
      );
      return EXIT.ok;
    }
    io.stdout.write(
      `chart-promoter init: ${dir} (environments ${environments.join(' → ')})
${result.written.map((path) => `  wrote  ${path}`).join('\n')}
${result.kept.map((path) => `  kept   ${path} (already there)`).join('\n')}

Next:
  1. the HMAC key (the feedback endpoint's) in each environment namespace, where its Provider reads it:
${environments.map((e) => `     kubectl -n ${e} create secret generic ${options.secretName} --from-literal=token=<key>`).join('\n')}
  2. git -C ${dir} add -A && git -C ${dir} commit -m "Connect Flux to chart-promoter" && git -C ${dir} push
`.replace(/\n\n\n/g, '\n\n'),
    );
    return EXIT.ok;
  },
});
