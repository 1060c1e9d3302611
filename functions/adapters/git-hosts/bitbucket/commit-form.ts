import { randomBytes } from 'node:crypto';
import type { ChangeSet } from '../../../ports/git-host';

/**
 * The multipart/form-data body of `POST /repositories/{workspace}/{repo_slug}/src`, built byte by byte
 * (RFC 7578) rather than with FormData: FormData turns every line break of a text field into CRLF (the
 * HTML form-submission rules), which would put carriage returns into the commit message.
 *
 * From the operation's description: file fields carry a `filename` ("Files are uploaded in file form
 * fields (those that have a Content-Disposition parameter) whose field names point to the remote path
 * … absolute from the root of the repository, regardless whether the client uses a leading slash"),
 * "File contents are treated as bytes and are not decoded as text"; meta data (`message`, `branch`,
 * `parents`, `files`) are plain fields; a path named in `files` without a file field is deleted. A
 * file uploaded without `x-attributes` is a regular file (mode 100644), as every adapter writes them.
 */

const encoder = new TextEncoder();

/** Header parameter value: callers refuse `"`, CR and LF in paths; UTF-8 as browsers send it. */
const quoted = (value: string): string => `"${value}"`;

export const commitForm = (
  branch: string,
  expectedHead: string | undefined,
  changeSet: ChangeSet,
): { readonly body: Uint8Array; readonly contentType: string } => {
  const parts: { name: string; data: Uint8Array; filename?: string }[] = [
    { name: 'message', data: encoder.encode(changeSet.message) },
    { name: 'branch', data: encoder.encode(branch) },
    ...(expectedHead === undefined ? [] : [{ name: 'parents', data: encoder.encode(expectedHead) }]),
  ];
  for (const { path, content } of changeSet.changes) {
    // As the description's own example writes them: `-F files=/file/to/delete/1.txt`.
    if (content === null) parts.push({ name: 'files', data: encoder.encode(`/${path}`) });
    else parts.push({ name: `/${path}`, data: content, filename: path.slice(path.lastIndexOf('/') + 1) });
  }
  let boundary: string;
  do boundary = `chart-promoter-${randomBytes(18).toString('hex')}`;
  while (parts.some((p) => Buffer.from(p.data).includes(boundary)));
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const disposition = `form-data; name=${quoted(part.name)}${part.filename === undefined ? '' : `; filename=${quoted(part.filename)}`}`;
    const type = part.filename === undefined ? 'text/plain; charset=utf-8' : 'application/octet-stream';
    chunks.push(
      encoder.encode(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${type}\r\n\r\n`),
    );
    chunks.push(part.data);
    chunks.push(encoder.encode('\r\n'));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
};
