import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeReleaseValues } from '../../../../functions/promotion/manifests/release-values';
import { parseValuesDocument } from '../../../../functions/promotion/values/values-document';
import { releaseText } from '../../../support/values-fixtures';

/**
 * `spec.values` rewritten where humans keep it: what the change leaves keeps its bytes (comments
 * included), a removed key goes with the comment above it, a value in YAML 1.1 only (`yes`) is
 * written so that YAML 1.2 readers (kustomize) read the same, and nothing outside `spec.values`
 * changes.
 */
const documentOf = (yaml: string) => {
  const parsed = parseValuesDocument(new TextEncoder().encode(yaml));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.document;
};
const valuesBlock = (text: string) => text.slice(text.indexOf('  values:'));
const outside = (text: string) => text.slice(0, text.indexOf('  values:'));

describe('writeReleaseValues', () => {
  it('edits a block map key by key: comments kept, a removed key leaves with its comment', () => {
    // Prepare
    const text = releaseText(
      'staging',
      'hello-web',
      '1.0.0',
      '  values:\n    # keep me\n    replicaCount: 1\n    # drop me with the key\n    message: hi\n    image:\n      repository: nginx # repo\n      tag: "1"\n',
    );

    // Act
    const edit = writeReleaseValues(
      text,
      documentOf('replicaCount: 1\nimage:\n  repository: nginx\n  tag: "2"\n'),
    );

    // Assess
    expect(edit).toMatchObject({ ok: true, changed: true });
    if (!edit.ok) return;
    expect(valuesBlock(edit.text)).toBe(
      '  values:\n    # keep me\n    replicaCount: 1\n    image:\n      repository: nginx # repo\n      tag: "2"\n',
    );
    expect(outside(edit.text)).toBe(outside(text));
  });

  it('rewrites a flow map and keeps the meaning of YAML 1.1 booleans for YAML 1.2 readers', () => {
    // Prepare
    const text = releaseText('staging', 'hello-web', '1.0.0', '  values: {replicaCount: 1}\n');

    // Act
    const edit = writeReleaseValues(text, documentOf('replicaCount: 2\nenabled: yes\n'));

    // Assess
    expect(edit.ok).toBe(true);
    if (!edit.ok) return;
    expect(parse(edit.text, { version: '1.2' }).spec.values).toEqual({ replicaCount: 2, enabled: true });
    expect(parse(edit.text, { version: '1.1' }).spec.values).toEqual({ replicaCount: 2, enabled: true });
    expect(outside(edit.text)).toBe(outside(text));
  });

  it('answers unchanged, with the text as it was, when the values are already there', () => {
    const text = releaseText('staging', 'hello-web', '1.0.0', '  values:\n    # note\n    replicaCount: 2\n');
    expect(writeReleaseValues(text, documentOf('replicaCount: 2\n'))).toEqual({
      ok: true,
      changed: false,
      text,
    });
  });
});
