import { describe, expect, it } from 'vitest';
import { commitForm } from '../../../../functions/adapters/git-hosts/bitbucket/commit-form';

describe('commitForm', () => {
  it('carries the message with its own line breaks, files as bytes with filenames, deletions in files', async () => {
    // Prepare
    const binary = new Uint8Array([0, 13, 10, 255, 45, 45]);
    const { body, contentType } = commitForm('main', 'a'.repeat(40), {
      message: 'promote x\n\nChart-Promoter-Run: r\n',
      changes: [
        { path: 'charts/x/1.0.0/logo.png', content: binary },
        { path: 'environments/dev/old.yaml', content: null },
      ],
    });
    // Act: parsed by the WHATWG multipart parser (undici), as a server would.
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    // Assess
    expect(form.get('message')).toBe('promote x\n\nChart-Promoter-Run: r\n');
    expect(form.get('branch')).toBe('main');
    expect(form.get('parents')).toBe('a'.repeat(40));
    expect(form.getAll('files')).toEqual(['/environments/dev/old.yaml']);
    const file = form.get('/charts/x/1.0.0/logo.png') as File;
    expect(file.name).toBe('logo.png');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(binary);
  });

  it('sends no parents for a branch that must not exist yet', async () => {
    const { body, contentType } = commitForm('new', undefined, { message: 'm', changes: [] });
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    expect(form.has('parents')).toBe(false);
  });
});
