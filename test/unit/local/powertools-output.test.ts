import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { redirectLoggerOutput } from '../../../functions/local/powertools-output';

describe('redirectLoggerOutput', () => {
  it("sends the Powertools Logger's JSON lines, of every level, to the stream and none to stdout", () => {
    // Prepare
    const written: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    const stdout = vi.spyOn(process.stdout, 'write');
    const logger = redirectLoggerOutput(
      new Logger({ serviceName: 'chart-promoter', logLevel: 'INFO' }),
      stream,
    );

    // Act
    try {
      logger.info('one', { runId: 'r-1' });
      logger.warn('two');
      logger.error('three', { error: new Error('boom') });
    } finally {
      stdout.mockRestore();
    }

    // Assess
    expect(stdout).not.toHaveBeenCalled();
    const lines = written
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['INFO', 'one'],
      ['WARN', 'two'],
      ['ERROR', 'three'],
    ]);
    expect(lines[0]).toMatchObject({ service: 'chart-promoter', runId: 'r-1' });
    expect(lines[2].error).toMatchObject({ name: 'Error', message: 'boom' });
  });
});
