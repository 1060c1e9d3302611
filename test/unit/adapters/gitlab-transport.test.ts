import { describe, expect, it } from 'vitest';
import {
  parseReceivePackReport,
  receivePackRequest,
  ZERO_OID,
} from '../../../functions/adapters/git-hosts/gitlab/receive-pack';
import { retryAfterSeconds } from '../../../functions/adapters/git-hosts/gitlab/transport';

// Header names and forms: lib/gitlab/rack_attack/request_throttle_data.rb `throttled_response_headers`.
describe('retryAfterSeconds', () => {
  const now = Date.parse('2026-01-05T11:00:00Z');

  it.each([
    [{ 'retry-after': '7', 'ratelimit-reset': String(now / 1000 + 60) }, 7],
    [{ 'retry-after': 'Mon, 05 Jan 2026 11:00:30 GMT' }, 30],
    [{ 'ratelimit-reset': String(now / 1000 + 12) }, 12],
    [{ 'ratelimit-resettime': 'Mon, 05 Jan 2026 11:01:00 GMT' }, 60],
    [{}, undefined],
  ])('reads %j as %s seconds', (headers, seconds) => {
    expect(retryAfterSeconds(new Headers(headers), now)).toBe(seconds);
  });
});

describe('receive-pack request and report', () => {
  it('sends the commands with capabilities on the first, a flush, and an empty pack', () => {
    const body = Buffer.from(
      receivePackRequest([
        { ref: 'refs/heads/main', old: 'a'.repeat(40), new: 'b'.repeat(40) },
        { ref: 'refs/heads/tmp', old: 'b'.repeat(40), new: ZERO_OID },
      ]),
    );
    const text = body.toString('latin1');
    const first = `${'a'.repeat(40)} ${'b'.repeat(40)} refs/heads/main\0report-status side-band-64k agent=chart-promoter\n`;
    expect(text.startsWith(`${(first.length + 4).toString(16).padStart(4, '0')}${first}`)).toBe(true);
    expect(text).toContain(
      `${'a'.repeat(40)} ${'b'.repeat(40)} refs/heads/main\0report-status side-band-64k`,
    );
    expect(text).toContain('0000PACK');
    expect(body.subarray(-32, -20).toString('hex')).toBe('5041434b0000000200000000');
  });

  it('sends no pack when every command deletes', () => {
    const body = Buffer.from(
      receivePackRequest([{ ref: 'refs/heads/tmp', old: 'b'.repeat(40), new: ZERO_OID }]),
    );
    expect(body.toString('latin1').endsWith('0000')).toBe(true);
  });

  it('reads a side-band report with a refused ref and the server messages', () => {
    const pkt = (s: string | Buffer) => {
      const data = typeof s === 'string' ? Buffer.from(s) : s;
      return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0')), data]);
    };
    const inner = Buffer.concat([
      pkt('unpack ok\n'),
      pkt('ng refs/heads/main failed to update ref\n'),
      pkt('ok refs/heads/tmp\n'),
      Buffer.from('0000'),
    ]);
    const answer = Buffer.concat([
      pkt(
        Buffer.concat([
          Buffer.from([2]),
          Buffer.from("error: cannot lock ref 'refs/heads/main': is at x but expected y\n"),
        ]),
      ),
      pkt(Buffer.concat([Buffer.from([1]), inner])),
      Buffer.from('0000'),
    ]);
    expect(parseReceivePackReport(answer)).toEqual({
      unpack: 'ok',
      refs: [
        { ref: 'refs/heads/main', ok: false, reason: 'failed to update ref' },
        { ref: 'refs/heads/tmp', ok: true },
      ],
      messages: "error: cannot lock ref 'refs/heads/main': is at x but expected y",
    });
  });
});
