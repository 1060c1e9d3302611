import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  addKustomizationResources,
  newKustomizationText,
} from '../../../../functions/promotion/manifests/kustomization-manifest';

describe('kustomization manifest', () => {
  it('writes a new kustomization with sorted, unique resources', () => {
    // Act
    const text = newKustomizationText(['web.yaml', 'api.yaml', 'web.yaml']);
    // Assess
    expect(parse(text)).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['api.yaml', 'web.yaml'],
    });
  });

  it('adds missing entries at their sorted place and keeps comments, other fields and indentation', () => {
    // Prepare
    const text = `# dev cluster
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: dev # everything lands here
resources:
    # first the platform
    - ./api.yaml
    - monitoring.yaml   # owned by SRE
    # then the apps
    - web.yaml
commonLabels:
  env: dev
`;
    // Act
    const edit = addKustomizationResources(text, ['zeta.yaml', 'cache.yaml', 'api.yaml', 'aardvark.yaml']);
    // Assess
    expect(edit.ok && edit.added).toEqual(['aardvark.yaml', 'cache.yaml', 'zeta.yaml']);
    expect(edit.ok && edit.text).toBe(`# dev cluster
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: dev # everything lands here
resources:
    # first the platform
    - aardvark.yaml
    - ./api.yaml
    - cache.yaml
    - monitoring.yaml   # owned by SRE
    # then the apps
    - web.yaml
    - zeta.yaml
commonLabels:
  env: dev
`);
  });

  it('changes nothing when every entry is present', () => {
    // Prepare
    const text = 'resources:\n- web.yaml # hi\n';
    // Act
    const edit = addKustomizationResources(text, ['web.yaml']);
    // Assess
    expect(edit).toEqual({ ok: true, text, added: [] });
  });

  it('fills an empty flow list and creates a missing resources list', () => {
    // Act
    const flow = addKustomizationResources('resources: [] # none yet\n', ['b.yaml', 'a.yaml']);
    const missing = addKustomizationResources('kind: Kustomization\nnamespace: dev', ['a.yaml']);
    // Assess
    expect(flow.ok && flow.text).toBe('resources: [a.yaml, b.yaml] # none yet\n');
    expect(missing.ok && missing.text).toBe('kind: Kustomization\nnamespace: dev\nresources:\n  - a.yaml\n');
  });

  it.each([
    ['unparseable YAML', 'resources: [\n', /not valid YAML/],
    ['a Component', 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n', /not a kustomize/],
    ['resources that are not a list', 'resources: web.yaml\n', /not a list/],
    ['a list document', '- a\n', /not a YAML map/],
  ])('refuses %s', (_name, text, message) => {
    // Act
    const edit = addKustomizationResources(text, ['web.yaml']);
    // Assess
    expect(!edit.ok && edit.message).toMatch(message);
  });
});
