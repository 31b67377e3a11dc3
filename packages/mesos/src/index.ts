export type * from './generated/types';
export {
  CONTENT_TYPES,
  decodeMessage,
  decodeMessageInSlices,
  encodeMessage,
  formatFromContentType,
  wireType,
} from './codec';
export type { WireFormat } from './codec';
export { encodeRecord, RecordIODecoder } from './recordio';
export * from './errors';
export type { BackoffOptions } from './http/backoff';
export type { StreamDisconnected } from './http/event-stream';
export type { MasterClientOptions } from './http/transport';
export { SchedulerClient } from './scheduler-client';
export type {
  SchedulerClientOptions,
  SchedulerStreamItem,
  SchedulerSubscription,
  SubscribeOptions,
} from './scheduler-client';
export { OperatorClient } from './operator-client';
export type {
  DrainAgentOptions,
  OperatorClientOptions,
  OperatorStreamItem,
  OperatorSubscription,
} from './operator-client';
export { AgentClient, exitCodeFromWaitStatus } from './agent-client';
export type { AgentAddress, AgentClientOptions, ProcessOutput } from './agent-client';
