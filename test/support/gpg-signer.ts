import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A throwaway GnuPG home (batch mode, no passphrase) holding one key, exported the ways Helm and the
 * pipeline need it: the secret keyring in the legacy binary format `helm package --sign` reads, the
 * public key binary (`helm verify --keyring`) and ASCII-armored (the pipeline's keyring).
 */
export interface GpgSigner {
  readonly name: string;
  readonly dir: string;
  readonly secring: string;
  readonly pubring: string;
  readonly armoredPublicKey: string;
  close(): Promise<void>;
}

export const createGpgSigner = async (name: string): Promise<GpgSigner> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'chart-promoter-gpg-'));
  const home = path.join(dir, 'gnupg');
  await mkdir(home, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  const params = path.join(dir, 'key-params');
  await writeFile(
    params,
    [
      '%no-protection',
      'Key-Type: RSA',
      'Key-Length: 2048',
      `Name-Real: ${name}`,
      `Name-Email: ${name.toLowerCase().replace(/\W+/g, '.')}@example.test`,
      'Expire-Date: 0',
      '%commit',
      '',
    ].join('\n'),
  );
  await run('gpg', ['--batch', '--gen-key', params], { env });
  const secring = path.join(dir, 'secring.gpg');
  const pubring = path.join(dir, 'pubring.gpg');
  await run('gpg', ['--batch', '--output', secring, '--export-secret-keys'], { env });
  await run('gpg', ['--batch', '--output', pubring, '--export'], { env });
  const { stdout } = await run('gpg', ['--batch', '--armor', '--export'], { env });
  // gpg-agent was started for this home: stop it with the home, or it outlives the test.
  const close = async (): Promise<void> => {
    await run('gpgconf', ['--kill', 'gpg-agent'], { env }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  return { name, dir, secring, pubring, armoredPublicKey: stdout, close };
};

export const readBytes = async (file: string): Promise<Uint8Array> => new Uint8Array(await readFile(file));
