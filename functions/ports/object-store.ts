export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

export interface StoredObject extends ObjectRef {
  readonly size: number;
  readonly etag?: string;
  /** User metadata (`x-amz-meta-*`), keys lower-cased. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly bytes: Uint8Array;
}

export interface GetObjectOptions {
  /** Refuse (ObjectTooLargeError) as soon as more than this many bytes arrive, or the size says so. */
  readonly maxBytes: number;
  /**
   * The size the object-created event reported, when it carried one. A read of a different size is
   * retried briefly: s3rver can announce an object before its file is fully written
   * (REAL-SERVICES.md "s3rver").
   */
  readonly expectedSize?: number;
}

/** The bucket charts are uploaded to (S3 in AWS, s3rver locally). */
export interface ObjectStore {
  get(ref: ObjectRef, options: GetObjectOptions): Promise<StoredObject>;
  /** Replaces the object's tags with these (S3 PutObjectTagging semantics). */
  tag(ref: ObjectRef, tags: Readonly<Record<string, string>>): Promise<void>;
}
