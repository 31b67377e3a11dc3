import { isTRPCClientError } from '@trpc/client';

interface ErrorData {
  code?: string;
  httpStatus?: number;
  shoalCode?: string;
  issues?: { path: string; message: string }[];
}

const dataOf = (error: unknown): ErrorData =>
  (isTRPCClientError(error) ? (error.data as ErrorData | undefined) : undefined) ?? {};

/** The message to show for a failed call. */
export function messageOf(error: unknown): string {
  if (isTRPCClientError(error)) return error.message;
  return error instanceof Error ? error.message : 'Something went wrong';
}

export const codeOf = (error: unknown) => dataOf(error).code;

/** Server-side validation messages by field path ("email", "ports.0.containerPort"). */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of dataOf(error).issues ?? []) out[issue.path] ??= issue.message;
  return out;
}
