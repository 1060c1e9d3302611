import { createHash } from 'node:crypto';

/**
 * The one conditional ref update GitLab offers: git's own push (smart HTTP `git-receive-pack`). Each
 * command names the value the ref must still have (`<old> <new> <ref>`); receive-pack takes the ref's
 * lock, compares, and refuses a stale one (https://git-scm.com/docs/pack-protocol#_reference_update_request_and_packfile_transfer).
 * GitLab's REST API has no such update (https://gitlab.com/gitlab-org/gitlab/-/issues/24168, open),
 * so the adapter builds the commit with the API and moves the branch with this.
 *
 * The commands only move refs to commits the server already has, so the pack is empty. The request is
 * stateless (smart HTTP: https://git-scm.com/docs/http-protocol#_smart_service_git_receive_pack), so no
 * ref advertisement is fetched first; `report-status` and `side-band-64k` are supported by every git
 * server since 1.6/1.7, GitLab (Gitaly runs git's receive-pack) included.
 */

export const ZERO_OID = '0'.repeat(40);

export interface RefCommand {
  /** Full ref name, `refs/heads/<branch>`. */
  readonly ref: string;
  /** The value the ref must have now (ZERO_OID: must not exist). */
  readonly old: string;
  /** The value to set (ZERO_OID: delete). */
  readonly new: string;
}

export interface RefStatus {
  readonly ref: string;
  readonly ok: boolean;
  /** Why the server refused (`ng <ref> <reason>`), e.g. "failed to update ref", "pre-receive hook declined". */
  readonly reason?: string;
}

export interface ReceivePackReport {
  /** `unpack ok`, or the unpack error. */
  readonly unpack: string;
  readonly refs: readonly RefStatus[];
  /** What the server's hooks printed (band 2), e.g. GitLab's "You are not allowed to push code to protected branches". */
  readonly messages: string;
}

const encoder = new TextEncoder();

const pktLine = (payload: Uint8Array): Uint8Array => {
  const length = (payload.byteLength + 4).toString(16).padStart(4, '0');
  const out = new Uint8Array(payload.byteLength + 4);
  out.set(encoder.encode(length), 0);
  out.set(payload, 4);
  return out;
};

const FLUSH = encoder.encode('0000');

/** A version 2 pack with no objects: header plus its SHA-1 (https://git-scm.com/docs/pack-format). */
const emptyPack = (): Uint8Array => {
  const header = new Uint8Array([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, 0]);
  const digest = createHash('sha1').update(header).digest();
  const pack = new Uint8Array(header.byteLength + digest.byteLength);
  pack.set(header, 0);
  pack.set(digest, header.byteLength);
  return pack;
};

const CAPABILITIES = 'report-status side-band-64k agent=chart-promoter';

/** The request body: commands (capabilities after NUL on the first), flush, then the pack unless all delete. */
export const receivePackRequest = (commands: readonly RefCommand[]): Uint8Array => {
  if (commands.length === 0) throw new RangeError('receive-pack needs at least one command');
  const parts: Uint8Array[] = commands.map((c, i) =>
    pktLine(encoder.encode(`${c.old} ${c.new} ${c.ref}${i === 0 ? `\0${CAPABILITIES}` : ''}\n`)),
  );
  parts.push(FLUSH);
  if (commands.some((c) => c.new !== ZERO_OID)) parts.push(emptyPack());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
};

/** Splits pkt-lines; a flush is `null`. */
const readPktLines = (data: Uint8Array): (Uint8Array | null)[] => {
  const lines: (Uint8Array | null)[] = [];
  let offset = 0;
  while (offset + 4 <= data.byteLength) {
    const length = Number.parseInt(new TextDecoder().decode(data.subarray(offset, offset + 4)), 16);
    if (!Number.isFinite(length)) throw new Error('malformed pkt-line in receive-pack answer');
    if (length === 0) {
      lines.push(null);
      offset += 4;
      continue;
    }
    if (length < 4 || offset + length > data.byteLength) throw new Error('truncated receive-pack answer');
    lines.push(data.subarray(offset + 4, offset + length));
    offset += length;
  }
  return lines;
};

/** Parses the report-status answer, demultiplexing side-band-64k (band 1 data, 2 progress, 3 fatal). */
export const parseReceivePackReport = (answer: Uint8Array): ReceivePackReport => {
  const decoder = new TextDecoder();
  const data: Uint8Array[] = [];
  let messages = '';
  for (const line of readPktLines(answer)) {
    if (line === null || line.byteLength === 0) continue;
    const band = line[0];
    if (band === 1) data.push(line.subarray(1));
    else if (band === 2) messages += decoder.decode(line.subarray(1));
    else if (band === 3) throw new Error(`receive-pack failed: ${decoder.decode(line.subarray(1)).trim()}`);
    else throw new Error('receive-pack answered without side-band');
  }
  const joined = new Uint8Array(data.reduce((n, d) => n + d.byteLength, 0));
  let offset = 0;
  for (const d of data) {
    joined.set(d, offset);
    offset += d.byteLength;
  }
  let unpack = '';
  const refs: RefStatus[] = [];
  for (const line of readPktLines(joined)) {
    if (line === null) continue;
    const text = decoder.decode(line).replace(/\n$/, '');
    if (text.startsWith('unpack ')) unpack = text.slice('unpack '.length);
    else if (text.startsWith('ok ')) refs.push({ ref: text.slice(3), ok: true });
    else if (text.startsWith('ng ')) {
      const rest = text.slice(3);
      const space = rest.indexOf(' ');
      refs.push({
        ref: space < 0 ? rest : rest.slice(0, space),
        ok: false,
        reason: space < 0 ? '' : rest.slice(space + 1),
      });
    }
  }
  if (unpack === '') throw new Error('receive-pack answered without a report-status');
  return { unpack, refs, messages: messages.trim() };
};
