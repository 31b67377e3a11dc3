export type * from './generated/types';
export { CONTENT_TYPES, decodeMessage, encodeMessage, formatFromContentType } from './codec';
export type { WireFormat } from './codec';
export { encodeRecord, RecordIODecoder } from './recordio';
export * from './errors';
