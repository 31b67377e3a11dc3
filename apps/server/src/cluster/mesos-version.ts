/**
 * The oldest Mesos Shoal runs on: UPDATE_FRAMEWORK, quota configs (UPDATE_QUOTA) and
 * DRAIN_AGENT all arrived in 1.9.
 */
export const MIN_MESOS_VERSION = '1.9.0';

function parts(version: string): number[] | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

/** Why Shoal cannot use a master of this version, or undefined when it can. */
export function unsupportedVersion(
  version: string,
  master: string | undefined,
): string | undefined {
  const have = parts(version);
  const need = parts(MIN_MESOS_VERSION) as number[];
  const where = master ? `The Mesos master at ${master}` : 'The Mesos master';
  if (!have)
    return `${where} reports version "${version}", which Shoal cannot read; Shoal needs Mesos ${MIN_MESOS_VERSION} or later`;
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a > b) return undefined;
    if (a < b)
      return `${where} runs Mesos ${version}; Shoal needs Mesos ${MIN_MESOS_VERSION} or later (UPDATE_FRAMEWORK, quota configs and DRAIN_AGENT)`;
  }
  return undefined;
}
