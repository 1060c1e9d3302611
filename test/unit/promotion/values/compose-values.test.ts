import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  composeValues,
  mergeMaps,
  replacePathLiteralValue,
  replacePathValue,
  type ValuesReference,
  type ValuesSource,
} from '../../../../functions/promotion/values/compose-values';

/**
 * The cases of fluxcd/pkg chartutil/values_test.go (TestChartValuesFromReferences,
 * TestReplacePathValue, TestReplacePathLiteralValue; the module helm-controller composes a
 * HelmRelease's values with), each with upstream's name, run against the port. Upstream reads the
 * referenced objects from a fake Kubernetes client; here the same objects come from a map.
 */
type Objects = Record<string, Record<string, string>>;

const resolver =
  (objects: Objects) =>
  (kind: string, name: string): ValuesSource => {
    const data = objects[`${kind}/${name}`];
    return data === undefined ? { found: false } : { found: true, data };
  };

const compose = (objects: Objects, references: ValuesReference[], values?: string) =>
  composeValues('default', values === undefined ? undefined : parse(values), references, resolver(objects));

describe('composeValues (fluxcd/pkg chartutil ChartValuesFromReferences)', () => {
  it('merges', () => {
    const result = compose(
      {
        'ConfigMap/values': { 'values.yaml': 'flat: value\nnested:\n  configuration: value\n' },
        'Secret/values': { 'values.yaml': 'flat:\n  nested: value\nnested: value\n' },
      },
      [
        { kind: 'ConfigMap', name: 'values' },
        { kind: 'Secret', name: 'values' },
      ],
      'other: values\n',
    );
    expect(result).toEqual({
      ok: true,
      values: { flat: { nested: 'value' }, nested: 'value', other: 'values' },
    });
  });

  it('with target path', () => {
    const result = compose({ 'Secret/values': { single: 'value' } }, [
      { kind: 'Secret', name: 'values', valuesKey: 'single', targetPath: 'merge.at.specific.path' },
    ]);
    expect(result).toEqual({ ok: true, values: { merge: { at: { specific: { path: 'value' } } } } });
  });

  it('target path precedence over all (strvals writes into the maps spec.values shares)', () => {
    const result = compose(
      {
        'ConfigMap/values': {
          'values.yaml': 'flat: value\nnested:\n  configuration:\n  - one\n  - two\n  - three\n',
        },
        'Secret/values': { key: 'value' },
      },
      [
        { kind: 'Secret', name: 'values', valuesKey: 'key', targetPath: 'nested.configuration[0]' },
        { kind: 'ConfigMap', name: 'values' },
      ],
      'nested:\n  configuration:\n  - list\n  - item\n  - option\n',
    );
    expect(result).toEqual({
      ok: true,
      values: { flat: 'value', nested: { configuration: ['value', 'item', 'option'] } },
    });
  });

  it('target path for string type array item', () => {
    const result = compose(
      {
        'ConfigMap/values': {
          'values.yaml': 'flat: value\nnested:\n  configuration:\n  - list\n  - item\n  - option\n',
        },
        'Secret/values': { 'values.yaml': 'foo' },
      },
      [
        { kind: 'ConfigMap', name: 'values' },
        { kind: 'Secret', name: 'values', targetPath: 'nested.configuration[1]' },
      ],
      'other: values\n',
    );
    expect(result).toEqual({
      ok: true,
      values: { flat: 'value', nested: { configuration: ['list', 'foo', 'option'] }, other: 'values' },
    });
  });

  it.each([
    ['values reference to non existing secret', { kind: 'Secret', name: 'missing' }],
    ['values reference to non existing config map', { kind: 'ConfigMap', name: 'missing' }],
  ])('%s: an error', (_name, reference) => {
    const result = compose({}, [reference]);
    expect(result).toMatchObject({ ok: false, code: 'VALUES_INVALID' });
    expect(result.ok || result.message).toContain('resource not found');
  });

  it.each([
    ['optional values reference to non existing secret', { kind: 'Secret', name: 'missing', optional: true }],
    [
      'optional values reference to non existing config map',
      { kind: 'ConfigMap', name: 'missing', optional: true },
    ],
  ])('%s: skipped', (_name, reference) => {
    expect(compose({}, [reference])).toEqual({ ok: true, values: {} });
  });

  it.each([
    ['missing secret key', 'Secret'],
    ['missing config map key', 'ConfigMap'],
  ])('%s: an error, unless optional', (_name, kind) => {
    const objects = { [`${kind}/values`]: {} };
    const reference = { kind, name: 'values', valuesKey: 'nonexisting' };
    const result = compose(objects, [reference]);
    expect(result.ok || result.message).toBe(
      `could not resolve ${kind} chart values reference 'default/values' with key 'nonexisting': key not found`,
    );
    expect(compose(objects, [{ ...reference, optional: true }])).toEqual({ ok: true, values: {} });
  });

  it('unsupported values reference kind', () => {
    expect(compose({}, [{ kind: 'Unsupported', name: '' }])).toMatchObject({
      ok: false,
      code: 'VALUES_INVALID',
    });
  });

  it('invalid values', () => {
    const result = compose({ 'ConfigMap/values': { 'values.yaml': '\ninvalid' } }, [
      { kind: 'ConfigMap', name: 'values' },
    ]);
    expect(result).toMatchObject({ ok: false, code: 'VALUES_INVALID' });
  });

  it('non-literal target path mangles value with commas: an error', () => {
    const result = compose({ 'ConfigMap/values': { 'application.yml': 'endpoints: [a,b,c]' } }, [
      {
        kind: 'ConfigMap',
        name: 'values',
        valuesKey: 'application.yml',
        targetPath: 'externalConfig.application\\.yml.content',
      },
    ]);
    expect(result).toMatchObject({ ok: false, code: 'VALUES_INVALID' });
    expect(result.ok || result.message).toContain('key "b" has no value (cannot end with ,)');
  });

  it('literal target path preserves helm-set metacharacters', () => {
    const content =
      'server:\n  port: 8080\nmanagement:\n  endpoints:\n    web:\n      exposure:\n        include: [ "prometheus", "health" ]\n';
    const result = compose({ 'ConfigMap/values': { 'application.yml': content } }, [
      {
        kind: 'ConfigMap',
        name: 'values',
        valuesKey: 'application.yml',
        targetPath: 'externalConfig.application\\.yml.content',
        literal: true,
      },
    ]);
    expect(result).toEqual({ ok: true, values: { externalConfig: { 'application.yml': { content } } } });
  });

  it('literal flag without targetPath is ignored (root YAML merge)', () => {
    const result = compose({ 'ConfigMap/values': { 'values.yaml': 'flat: value\n' } }, [
      { kind: 'ConfigMap', name: 'values', literal: true },
    ]);
    expect(result).toEqual({ ok: true, values: { flat: 'value' } });
  });

  it('flux2#2625 non-literal: comma-separated brokers fail to merge; literal: preserved verbatim', () => {
    const objects = { 'Secret/kafka': { brokers: 'kafka01.net:9092,kafka02.net:9092,kafka03.net:9092' } };
    const reference = { kind: 'Secret', name: 'kafka', valuesKey: 'brokers', targetPath: 'kafka.brokers' };
    expect(compose(objects, [reference])).toMatchObject({ ok: false, code: 'VALUES_INVALID' });
    expect(compose(objects, [{ ...reference, literal: true }])).toEqual({
      ok: true,
      values: { kafka: { brokers: 'kafka01.net:9092,kafka02.net:9092,kafka03.net:9092' } },
    });
  });

  it('spec.values wins over references without a targetPath, merged last', () => {
    const result = compose(
      { 'ConfigMap/a': { 'values.yaml': 'image: {repository: r, tag: "1"}\nreplicas: 1\n' } },
      [{ kind: 'ConfigMap', name: 'a' }],
      'image:\n  tag: "2"\n',
    );
    expect(result).toEqual({ ok: true, values: { image: { repository: 'r', tag: '2' }, replicas: 1 } });
  });

  it('an object chart-promoter cannot read is VALUES_FROM_UNSUPPORTED, even when optional', () => {
    const result = composeValues('prod', {}, [{ kind: 'Secret', name: 's', optional: true }], () => ({
      unsupported: 'Secret prod/s lives in the cluster',
    }));
    expect(result).toEqual({
      ok: false,
      code: 'VALUES_FROM_UNSUPPORTED',
      message: 'Secret prod/s lives in the cluster',
    });
  });
});

describe('replacePathValue (TestReplacePathValue: the formats of helm --set)', () => {
  const set = (path: string, value: string) => {
    const values = {};
    replacePathValue(values, path, value);
    return values;
  };
  it.each([
    ['outer inner', 'outer.inner', 'value', { outer: { inner: 'value' } }],
    ['inline list', 'name', '{a,b,c}', { name: ['a', 'b', 'c'] }],
    ['with escape', 'name', 'value1\\,value2', { name: 'value1,value2' }],
    [
      'target path with boolean value',
      'merge.at.specific.path',
      'true',
      { merge: { at: { specific: { path: true } } } },
    ],
    [
      'target path with set-string behavior',
      'merge.at.specific.path',
      '"true"',
      { merge: { at: { specific: { path: 'true' } } } },
    ],
    ['target path with array item', 'merge.at[2]', 'value', { merge: { at: [null, null, 'value'] } }],
    [
      'dot sequence escaping path',
      'nodeSelector.kubernetes\\.io/role',
      'master',
      { nodeSelector: { 'kubernetes.io/role': 'master' } },
    ],
  ])('%s', (_name, path, value, want) => {
    expect(set(path, value)).toEqual(want);
  });

  it('types values as strvals does: int64, null, booleans in any case; floats and 0-prefixed stay strings', () => {
    expect(set('a', '42')).toEqual({ a: 42 });
    expect(set('a', 'NULL')).toEqual({ a: null });
    expect(set('a', 'False')).toEqual({ a: false });
    expect(set('a', '1.5')).toEqual({ a: '1.5' });
    expect(set('a', '0755')).toEqual({ a: '0755' });
    expect(set('a', '0')).toEqual({ a: 0 });
  });

  it('refuses what Helm refuses: a key map with no value, an index that is not a number, a path into a scalar', () => {
    expect(() => set('a.', 'x')).toThrow();
    expect(() => set('a[x]', 'x')).toThrow(/error parsing index/);
    const values = { a: 'scalar' };
    expect(() => replacePathValue(values, 'a.b', 'x')).toThrow(/unable to parse key/);
  });
});

describe('replacePathLiteralValue (TestReplacePathLiteralValue: helm --set-literal)', () => {
  it.each([
    ['simple string', 'outer.inner', 'value', { outer: { inner: 'value' } }],
    ['value with commas is preserved', 'name', 'a,b,c', { name: 'a,b,c' }],
    ['value with braces is preserved (not parsed as inline list)', 'name', '{a,b,c}', { name: '{a,b,c}' }],
    ['value with equals signs is preserved', 'name', 'foo=bar=baz', { name: 'foo=bar=baz' }],
    [
      'value with brackets is preserved (not parsed as array index)',
      'config',
      'endpoints: [a, b, c]',
      { config: 'endpoints: [a, b, c]' },
    ],
    [
      'JSON string is preserved verbatim (no escape needed)',
      'subnet_ids',
      '["a","b","c"]',
      { subnet_ids: '["a","b","c"]' },
    ],
    ['boolean-like string stays a string', 'feature.enabled', 'true', { feature: { enabled: 'true' } }],
    [
      'dot escape in path still works',
      'nodeSelector.kubernetes\\.io/role',
      'master',
      { nodeSelector: { 'kubernetes.io/role': 'master' } },
    ],
    [
      'HOCON content with equals and quoted strings is preserved',
      'externalConfig.application\\.conf.content',
      'kafka {\n  bootstrap = "b-1:9098,b-2:9098"\n  group = "svc.consumer"\n}\n',
      {
        externalConfig: {
          'application.conf': {
            content: 'kafka {\n  bootstrap = "b-1:9098,b-2:9098"\n  group = "svc.consumer"\n}\n',
          },
        },
      },
    ],
  ])('%s', (_name, path, value, want) => {
    const values = {};
    replacePathLiteralValue(values, path, value);
    expect(values).toEqual(want);
  });
});

describe('mergeMaps (fluxcd/pkg chartutil/merge.go)', () => {
  it('merges maps key by key and lets anything else replace, shallow-copying only the top level', () => {
    const nested = { x: 1 };
    const a = { keep: nested, list: [1, 2], map: { a: 1 } };
    const merged = mergeMaps(a, { list: [3], map: 'flat', keep: { y: 2 } });
    expect(merged).toEqual({ keep: { x: 1, y: 2 }, list: [3], map: 'flat' });
    expect(mergeMaps({ m: nested }, {}).m).toBe(nested);
  });
});
