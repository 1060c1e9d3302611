import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blobId, treeId, treeIdOfLeaves } from '../../../functions/ports/git-object-id';

const dir = mkdtempSync(join(tmpdir(), 'git-object-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

describe('git object ids', () => {
  it('matches git hash-object for a blob', () => {
    writeFileSync(join(dir, 'blob.txt'), 'hello\n');
    expect(blobId(Buffer.from('hello\n'))).toBe(git('hash-object', 'blob.txt'));
  });

  it('matches git write-tree for nested trees with names that sort differently as directories', () => {
    const files = [
      { path: 'Chart.yaml', data: Buffer.from('name: x\n') },
      { path: 'templates/a.yaml', data: Buffer.from('a') },
      { path: 'templates.yaml', data: Buffer.from('t') },
      { path: 'templates-x/b', data: Buffer.from('b') },
      { path: 'charts/sub/Chart.yaml', data: Buffer.from('name: sub\n') },
      { path: 'bin.dat', data: Buffer.from([0, 1, 2, 255]) },
    ];
    git('init', '-q', 'repo');
    const repo = join(dir, 'repo');
    for (const { path, data } of files) {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), data);
    }
    execFileSync('git', ['add', '-A'], { cwd: repo });
    const expected = execFileSync('git', ['write-tree'], { cwd: repo, encoding: 'utf8' }).trim();
    expect(treeId(files)).toBe(expected);
  });

  it('matches git write-tree for executables and symbolic links when their modes are given', () => {
    // Prepare: a work tree with a regular file, an executable and a link, as git records them.
    git('init', '-q', 'modes');
    const repo = join(dir, 'modes');
    mkdirSync(join(repo, 'bin'), { recursive: true });
    writeFileSync(join(repo, 'values.yaml'), 'a: 1\n');
    writeFileSync(join(repo, 'bin/run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('values.yaml', join(repo, 'link.yaml'));
    execFileSync('git', ['add', '-A'], { cwd: repo });
    const expected = execFileSync('git', ['write-tree'], { cwd: repo, encoding: 'utf8' }).trim();
    // Act
    const id = treeIdOfLeaves([
      { path: 'values.yaml', mode: '100644', id: blobId(Buffer.from('a: 1\n')) },
      { path: 'bin/run.sh', mode: '100755', id: blobId(Buffer.from('#!/bin/sh\n')) },
      { path: 'link.yaml', mode: '120000', id: blobId(Buffer.from('values.yaml')) },
    ]);
    // Assess
    expect(id).toBe(expected);
  });

  it('changes when one byte changes', () => {
    const a = treeId([{ path: 'x/y', data: Buffer.from('1') }]);
    const b = treeId([{ path: 'x/y', data: Buffer.from('2') }]);
    expect(a).not.toBe(b);
  });
});
