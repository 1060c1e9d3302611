import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export interface UploadProgress {
  readonly loaded: number;
  readonly total: number;
}

export interface UploadedObject {
  readonly bucket: string;
  readonly key: string;
  readonly bytes: number;
  readonly versionId?: string;
  readonly etag?: string;
}

/**
 * Uploads a local file with @aws-sdk/lib-storage (multipart above 5 MiB, parts in parallel), reporting
 * progress. https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-lib-storage/
 */
export const uploadFile = async (
  client: S3Client,
  file: string,
  target: { readonly bucket: string; readonly key: string; readonly metadata?: Record<string, string> },
  onProgress?: (progress: UploadProgress) => void,
): Promise<UploadedObject> => {
  const { size } = await stat(file);
  const upload = new Upload({
    client,
    params: {
      Bucket: target.bucket,
      Key: target.key,
      Body: createReadStream(file),
      ContentType: 'application/gzip',
      ContentLength: size,
      ...(target.metadata ? { Metadata: target.metadata } : {}),
    },
  });
  upload.on('httpUploadProgress', (event) =>
    onProgress?.({ loaded: event.loaded ?? 0, total: event.total ?? size }),
  );
  const result = await upload.done();
  return {
    bucket: target.bucket,
    key: target.key,
    bytes: size,
    ...(result.VersionId ? { versionId: result.VersionId } : {}),
    ...(result.ETag ? { etag: result.ETag.replace(/"/g, '') } : {}),
  };
};
