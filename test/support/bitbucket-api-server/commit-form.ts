/**
 * The body of `POST /repositories/{workspace}/{repo_slug}/src`, read the way the operation's
 * description defines it:
 * - "This endpoint accepts multipart/form-data … as well as application/x-www-form-urlencoded."
 * - multipart: "Files are uploaded in file form fields (those that have a Content-Disposition
 *   [filename] parameter) whose field names point to the remote path … always interpreted to be
 *   absolute from the root of the repository, regardless whether the client uses a leading slash";
 *   "File contents are treated as bytes and are not decoded as text"; meta data (message, author,
 *   parents, files, branch) travels as normal form fields.
 * - url-encoded: a field is a file unless its name is a meta data name without a leading slash.
 * - "The branch field cannot be repeated."
 * The description declares the meta data as query parameters too; both places are read.
 */

export const META_FIELDS = ['message', 'author', 'parents', 'files', 'branch'] as const;
type MetaField = (typeof META_FIELDS)[number];

export interface CommitForm {
  readonly meta: ReadonlyMap<MetaField, readonly string[]>;
  readonly files: readonly { readonly path: string; readonly data: Uint8Array }[];
  /** Where the request broke the description (recorded as validation errors by the server). */
  readonly problems: readonly string[];
}

const isMeta = (name: string): name is MetaField => (META_FIELDS as readonly string[]).includes(name);

export const parseCommitForm = async (
  contentType: string,
  raw: Buffer,
  query: URLSearchParams,
): Promise<CommitForm> => {
  const meta = new Map<MetaField, string[]>();
  const files: { path: string; data: Uint8Array }[] = [];
  const problems: string[] = [];
  const addMeta = (name: MetaField, value: string) => meta.set(name, [...(meta.get(name) ?? []), value]);
  for (const [name, value] of query) if (isMeta(name)) addMeta(name, value);
  if (/^multipart\/form-data/i.test(contentType)) {
    const form = await new Response(new Uint8Array(raw), {
      headers: { 'content-type': contentType },
    }).formData();
    for (const [name, value] of form) {
      if (typeof value !== 'string') {
        files.push({ path: name.replace(/^\/+/, ''), data: new Uint8Array(await value.arrayBuffer()) });
      } else if (isMeta(name)) {
        addMeta(name, value);
      } else {
        problems.push(
          `multipart field "${name}" has no filename: files are fields with a Content-Disposition filename`,
        );
        files.push({ path: name.replace(/^\/+/, ''), data: new TextEncoder().encode(value) });
      }
    }
  } else if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) {
      if (isMeta(name)) addMeta(name, value);
      else files.push({ path: name.replace(/^\/+/, ''), data: new TextEncoder().encode(value) });
    }
  } else {
    problems.push(
      `Content-Type ${contentType || '(none)'}: the endpoint accepts multipart/form-data or application/x-www-form-urlencoded`,
    );
  }
  if ((meta.get('branch')?.length ?? 0) > 1) problems.push('the branch field is repeated');
  return { meta, files, problems };
};
