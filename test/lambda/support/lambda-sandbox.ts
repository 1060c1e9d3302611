import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The file system a Lambda function sees, built with bubblewrap (Debian package `bubblewrap`):
 * everything read-only except `/tmp`, which is an empty tmpfs of the function's ephemeral storage size
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html: 512 MB to 10,240 MB
 * of `/tmp`; a container image "must be able to run on a read-only file system",
 * https://docs.aws.amazon.com/lambda/latest/dg/images-create.html). The function code is at
 * `/var/task`, the layers unpacked at `/opt`
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-layers.html), the runtime client at
 * `/var/runtime`, Node at `/var/lang/bin/node`. Nothing of the host but its system folders (`/usr`,
 * `/etc` and the `/lib*`, `/bin` links) is visible: not the repository, not its node_modules.
 *
 * The process runs as a non-root user in its own user, PID, IPC and UTS namespaces, sharing the
 * host's network so it reaches the stand-ins on 127.0.0.1. Lambda runs functions as `sbx_user1051`
 * (uid 993, gid 990) whose home directory does not exist; that is how users report it (the Lambda
 * docs do not say), and what an `os.homedir()` or `~/.aws` lookup meets there too.
 */

export const LAMBDA_USER = { name: 'sbx_user1051', uid: 993, gid: 990 } as const;

export interface SandboxLayout {
  /** The function's code (the synthesized asset directory), mounted read-only at /var/task. */
  readonly taskRoot: string;
  /** The layers, merged and unpacked, mounted read-only at /opt. */
  readonly optDir?: string;
  /** The runtime client folder, mounted read-only at /var/runtime. */
  readonly runtimeDir: string;
  /** The Node binary, mounted read-only at /var/lang/bin/node. */
  readonly nodeBinary: string;
  /** An /etc/passwd that knows the Lambda user (passwdWithLambdaUser). */
  readonly passwdFile: string;
  /** Size of the writable /tmp. */
  readonly tmpBytes: number;
  /** The whole environment of the process (nothing of the host's is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** The command to run inside, e.g. ['/var/lang/bin/node', '/var/runtime/bootstrap.mts']. */
  readonly argv: readonly string[];
}

const INSTALL_HINT =
  'The Lambda-shaped test run needs bubblewrap and unzip (Debian: apt-get install -y bubblewrap unzip; ' +
  '.ci/run installs them when missing).';

/** Host folders the function may read: the system, never the repository. */
const SYSTEM_DIRS = ['usr', 'etc'] as const;
const SYSTEM_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'] as const;

const systemMounts = (): string[] => {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) args.push('--ro-bind', `/${dir}`, `/${dir}`);
  for (const name of SYSTEM_LINKS) {
    const host = `/${name}`;
    if (!existsSync(host)) continue;
    // Merged-/usr systems link /lib to usr/lib: keep the link, as the ELF interpreter path needs it.
    if (lstatSync(host).isSymbolicLink()) args.push('--symlink', readlinkSync(host), host);
    else args.push('--ro-bind', host, host);
  }
  return args;
};

/** Own namespaces but the host's network (the stand-ins listen on 127.0.0.1), as the Lambda user. */
const NAMESPACES = [
  '--unshare-all',
  '--share-net',
  '--uid',
  String(LAMBDA_USER.uid),
  '--gid',
  String(LAMBDA_USER.gid),
];

/** The bwrap argument list that runs `layout.argv` in the Lambda-shaped file system. */
export const sandboxArgs = (layout: SandboxLayout): string[] => [
  ...NAMESPACES,
  '--die-with-parent',
  ...systemMounts(),
  '--ro-bind',
  layout.passwdFile,
  '/etc/passwd',
  '--dev',
  '/dev',
  '--proc',
  '/proc',
  '--size',
  String(layout.tmpBytes),
  '--tmpfs',
  '/tmp',
  '--ro-bind',
  layout.taskRoot,
  '/var/task',
  ...(layout.optDir === undefined ? ['--dir', '/opt'] : ['--ro-bind', layout.optDir, '/opt']),
  '--ro-bind',
  layout.runtimeDir,
  '/var/runtime',
  '--ro-bind',
  layout.nodeBinary,
  '/var/lang/bin/node',
  // The root bwrap builds is a writable tmpfs: make it read-only like the rest.
  '--remount-ro',
  '/',
  '--chdir',
  '/var/task',
  '--clearenv',
  ...Object.entries(layout.env).flatMap(([name, value]) => ['--setenv', name, value]),
  '--',
  ...layout.argv,
];

/** The host's /etc/passwd plus the Lambda user, whose home directory (like in Lambda) does not exist. */
export const passwdWithLambdaUser = (hostPasswd: string): string =>
  `${hostPasswd.trimEnd()}\n${LAMBDA_USER.name}:x:${LAMBDA_USER.uid}:${LAMBDA_USER.gid}::/home/${LAMBDA_USER.name}:/sbin/nologin\n`;

/**
 * Why the sandbox cannot run here, or undefined when it can: bwrap and unzip are installed and a
 * read-only root with a writable /tmp works as the Lambda user. Never a silent skip: the caller fails.
 */
export const sandboxProblem = async (): Promise<string | undefined> => {
  for (const tool of ['bwrap', 'unzip']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `${tool} not found. ${INSTALL_HINT}`;
    }
  }
  const probe = [
    ...NAMESPACES,
    ...systemMounts(),
    '--tmpfs',
    '/tmp',
    '--remount-ro',
    '/',
    '--',
    'sh',
    '-c',
    'touch /tmp/writable && ! touch /read-only 2>/dev/null',
  ];
  try {
    await run('bwrap', probe);
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    return (
      `bwrap cannot build the Lambda-shaped sandbox here (${stderr || String(error)}). It needs user ` +
      'namespaces (sysctl kernel.unprivileged_userns_clone=1, or run as root). ' +
      INSTALL_HINT
    );
  }
};
