import { decodeMessage, encodeMessage, type WireFormat } from '../codec';
import type { MessageName, MessageOf } from '../generated/types';
import type { MasterResponse } from './master-request';
import type { MasterTransport } from './transport';

export interface CallSpec<C extends MessageName> {
  path: string;
  callType: C;
  call: MessageOf<C>;
  /** Statuses that mean success for this call. */
  accepted: readonly number[];
  headers?: Record<string, string>;
  /** See MasterRequest.repeatable. */
  repeatable?: boolean;
}

/** Sends one call and returns its answer as sent: its bytes (none without a body) and their format. */
export async function sendCallForBytes<C extends MessageName>(
  transport: MasterTransport,
  spec: CallSpec<C>,
): Promise<{ body: Uint8Array; format: WireFormat }> {
  const response = await transport.post({
    path: spec.path,
    body: encodeMessage(spec.callType, spec.call, transport.format),
    headers: spec.headers,
    repeatable: spec.repeatable,
  });
  return { body: await transport.expectStatus(response, spec.accepted), format: response.format };
}

/** Sends one call and returns the decoded answer, or undefined when the master sent no body. */
export async function sendCall<C extends MessageName, R extends MessageName>(
  transport: MasterTransport,
  spec: CallSpec<C>,
  responseType: R,
): Promise<MessageOf<R> | undefined> {
  const { body, format } = await sendCallForBytes(transport, spec);
  return body.byteLength > 0 ? decodeMessage(responseType, body, format) : undefined;
}

/** Sends a SUBSCRIBE call and returns the open event stream response (status 200). */
export async function openSubscription<C extends MessageName>(
  transport: MasterTransport,
  spec: Omit<CallSpec<C>, 'accepted'>,
  signal: AbortSignal,
): Promise<MasterResponse> {
  const response = await transport.post({
    path: spec.path,
    body: encodeMessage(spec.callType, spec.call, transport.format),
    headers: spec.headers,
    streaming: true,
    signal,
  });
  if (response.status !== 200) throw await transport.statusError(response);
  return response;
}
