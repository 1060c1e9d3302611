export {
  type ChartUploadCheck,
  isChartUpload,
  isForwardedKey,
  type NotAChartReason,
} from './chart-upload-filter';
export type { IgnoredEvent, ObjectCreated, ParsedEventBody } from './object-created';
export { parseEventBody } from './parse-event-body';
export { decodeS3EventKey, type EventKey, encodeS3EventKey, readEventKey } from './s3-key-encoding';
