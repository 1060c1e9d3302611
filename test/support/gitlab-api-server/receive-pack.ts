import type { GitStore } from '../github-api-server/git-store';
import { compareAndSwapRef, ZERO } from './refs';

/**
 * git's receive-pack for the pushes the adapter makes (ref moves to commits the server already has,
 * empty pack), answered in process (`gitBackend: 'http-backend'` runs the real one instead). The
 * answers are git's, recorded from `git http-backend` on this machine and pinned by a test that runs
 * the adapter against it:
 * - stale old value: `ng <ref> failed to update ref`, and on side band 2
 *   `error: cannot lock ref '<ref>': is at <actual> but expected <old>`;
 * - unknown new object: `ng <ref> missing necessary objects` (band 2 `fatal: bad object <id>`).
 * The other lock messages follow git's refs/files-backend.c wording (not recorded).
 * Commands are applied one by one (no `atomic`): a refused move does not stop a later delete.
 * Protocol: https://git-scm.com/docs/pack-protocol#_reference_update_request_and_packfile_transfer
 */

const encoder = new TextEncoder();

const pkt = (payload: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from((payload.byteLength + 4).toString(16).padStart(4, '0')), payload]);

const FLUSH = Buffer.from('0000');

interface Command {
  readonly old: string;
  readonly next: string;
  readonly ref: string;
}

const parse = (body: Buffer): { commands: Command[]; capabilities: string[]; packObjects: number } => {
  const commands: Command[] = [];
  let capabilities: string[] = [];
  let offset = 0;
  for (;;) {
    const length = Number.parseInt(body.subarray(offset, offset + 4).toString('latin1'), 16);
    if (!Number.isFinite(length)) throw new Error('malformed pkt-line');
    offset += 4;
    if (length === 0) break;
    let line = body.subarray(offset, offset + length - 4).toString('utf8');
    offset += length - 4;
    const nul = line.indexOf('\0');
    if (nul >= 0) {
      capabilities = line
        .slice(nul + 1)
        .trim()
        .split(' ');
      line = line.slice(0, nul);
    }
    const [old, next, ref] = line.trim().split(' ');
    commands.push({ old: old!, next: next!, ref: ref! });
  }
  const pack = body.subarray(offset);
  const packObjects = pack.byteLength >= 12 ? pack.readUInt32BE(8) : 0;
  return { commands, capabilities, packObjects };
};

export const answerReceivePack = async (store: GitStore, body: Buffer): Promise<Buffer> => {
  const { commands, capabilities, packObjects } = parse(body);
  const messages: string[] = [];
  const report: string[] = [packObjects === 0 ? 'unpack ok' : 'unpack this stand-in takes no objects'];
  for (const command of commands) {
    if (packObjects !== 0) {
      report.push(`ng ${command.ref} unpacker error`);
      continue;
    }
    if (command.next !== ZERO && (await store.objectType(command.next)) === undefined) {
      messages.push(`fatal: bad object ${command.next}`);
      report.push(`ng ${command.ref} missing necessary objects`);
      continue;
    }
    const result = await compareAndSwapRef(store.dir, command.ref, command.old, command.next).catch(() => ({
      ok: false as const,
      actual: 'locked',
    }));
    if (result.ok) {
      report.push(`ok ${command.ref}`);
      continue;
    }
    messages.push(
      result.actual === ZERO
        ? `error: cannot lock ref '${command.ref}': unable to resolve reference '${command.ref}'`
        : command.old === ZERO
          ? `error: cannot lock ref '${command.ref}': reference already exists`
          : `error: cannot lock ref '${command.ref}': is at ${result.actual} but expected ${command.old}`,
    );
    report.push(`ng ${command.ref} failed to update ref`);
  }
  const inner = Buffer.concat([...report.map((line) => pkt(encoder.encode(`${line}\n`))), FLUSH]);
  if (!capabilities.includes('side-band-64k')) return inner;
  const band = (n: number, data: Uint8Array) => pkt(Buffer.concat([Buffer.from([n]), data]));
  return Buffer.concat([...messages.map((m) => band(2, encoder.encode(`${m}\n`))), band(1, inner), FLUSH]);
};
