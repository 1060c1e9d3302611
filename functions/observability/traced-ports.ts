import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { ChangeSet, GitHost, RepoSnapshot, SnapshotRequest } from '../ports/git-host';
import type { GetObjectOptions, ObjectRef, ObjectStore, StoredObject } from '../ports/object-store';

/**
 * X-Ray subsegments around the two remote systems a promotion waits on, so a slow run shows whether
 * S3 or the Git host was the wait. Decorators keep tracing out of the adapters and the domain.
 */
const traced = <T>(tracer: Tracer, name: string, fn: () => Promise<T>): Promise<T> =>
  tracer.isTracingEnabled()
    ? (tracer.provider.captureAsyncFunc(name, async (subsegment) => {
        try {
          return await fn();
        } catch (error) {
          subsegment?.addError(error as Error);
          throw error;
        } finally {
          subsegment?.close();
        }
      }) as Promise<T>)
    : fn();

export const tracedObjectStore = (store: ObjectStore, tracer: Tracer): ObjectStore => ({
  get: (ref: ObjectRef, options: GetObjectOptions): Promise<StoredObject> =>
    traced(tracer, '### s3 GetObject', () => store.get(ref, options)),
  tag: (ref: ObjectRef, tags: Readonly<Record<string, string>>): Promise<void> =>
    traced(tracer, '### s3 PutObjectTagging', () => store.tag(ref, tags)),
});

export const tracedGitHost = (host: GitHost, tracer: Tracer): GitHost => ({
  kind: host.kind,
  location: host.location,
  snapshot: (branch: string, request: SnapshotRequest): Promise<RepoSnapshot> =>
    traced(tracer, '### git snapshot', () => host.snapshot(branch, request)),
  commit: (branch: string, expectedHead: string | undefined, changeSet: ChangeSet) =>
    traced(tracer, '### git commit', () => host.commit(branch, expectedHead, changeSet)),
  ...(host.setBranch ? { setBranch: host.setBranch.bind(host) } : {}),
  ...(host.openPullRequest ? { openPullRequest: host.openPullRequest.bind(host) } : {}),
});
