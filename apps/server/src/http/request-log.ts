import type { RequestRecord } from '@shoal/docker-api';
import type { Logger } from '../logger';

/** A request's lines carry its id and, once known, its tenant and who made it. */
export function requestLog(log: Logger, record: RequestRecord | undefined): Logger {
  if (!record) return log;
  return log.child({
    requestId: record.requestId,
    ...(record.tenantId ? { tenantId: record.tenantId } : {}),
    ...(record.actor ? { actor: record.actor } : {}),
  });
}

/** What the request line says beside the fields its logger carries. */
export function requestFacts(record: RequestRecord) {
  const { method, path, status, durationMs, answerMs } = record;
  return { method, path, status, durationMs, answerMs };
}
