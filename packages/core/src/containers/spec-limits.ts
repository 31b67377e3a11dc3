import { invalid } from '../errors';
import { clipped } from '../text';

/**
 * Bounds on what a tenant may store in a container, a network or an exec, the same at every
 * front door (the dashboard's form states them too). Past them a request is a mistake or an
 * attempt to fill Shoal's memory and every listing of the tenant's objects: the request body's
 * own bound limits one request, these limit what each stored object can hold.
 */
export const SPEC_LIMITS = {
  nameLength: 128,
  imageLength: 512,
  labelKeyLength: 256,
  labelValueLength: 4096,
  /** All of an object's labels, keys and values together. */
  labelsLength: 65_536,
  /** Linux's HOST_NAME_MAX: a longer one fails the container at launch. */
  hostnameLength: 64,
  /** Linux's MAX_ARG_STRLEN: one argument or variable a kernel passes to a process. */
  argumentLength: 131_072,
  /** A command and its entrypoint together, or an exec's command. */
  argumentsLength: 262_144,
  /** All of a container's or an exec's environment variables. */
  envLength: 262_144,
  /** Linux's PATH_MAX. */
  workingDirLength: 4096,
  userLength: 256,
  /** Published ports: a range such as -p 8000-8999:8000-8999 counts one per port. */
  ports: 1024,
  /** Tenant networks one container joins, and aliases it has on one of them. */
  networks: 32,
  aliases: 64,
  /** Below these a container counts for nothing against its tenant's quota. */
  minCpus: 0.01,
  minMemoryMb: 4,
} as const;

export const quoted = (text: string): string => JSON.stringify(clipped(text));

/** Each label, and all of them together, within SPEC_LIMITS. */
export function checkLabels(labels: Record<string, string>): void {
  let total = 0;
  for (const [key, value] of Object.entries(labels)) {
    if (key.length > SPEC_LIMITS.labelKeyLength)
      throw invalid(
        `label key ${quoted(key)} longer than ${SPEC_LIMITS.labelKeyLength} characters`,
      );
    if (value.length > SPEC_LIMITS.labelValueLength)
      throw invalid(
        `label ${quoted(key)}: value longer than ${SPEC_LIMITS.labelValueLength} characters`,
      );
    total += key.length + value.length;
  }
  if (total > SPEC_LIMITS.labelsLength)
    throw invalid(
      `labels hold ${total} characters in all, more than ${SPEC_LIMITS.labelsLength}: keep large data outside labels`,
    );
}

/**
 * A list of arguments or variables (what: "command", "environment") within the bound on
 * each and on all of them together.
 */
export function checkStrings(what: string, strings: readonly string[], totalBound: number): void {
  let total = 0;
  for (const text of strings) {
    if (text.length > SPEC_LIMITS.argumentLength)
      throw invalid(
        `${what}: ${quoted(text)} is longer than ${SPEC_LIMITS.argumentLength} characters, more than Linux passes to a process`,
      );
    total += text.length;
  }
  if (total > totalBound)
    throw invalid(`${what} holds ${total} characters in all, more than ${totalBound}`);
}

/** A text field within its bound: "user", "working directory". */
export function checkLength(what: string, text: string | undefined, bound: number): void {
  if (text !== undefined && text.length > bound)
    throw invalid(`${what} ${quoted(text)} is longer than ${bound} characters`);
}
