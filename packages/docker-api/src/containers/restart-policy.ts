import type { RestartPolicy, RestartPolicyName } from '@shoal/core';
import { badRequest } from '../errors';
import { amountField, objectField, stringField, type JsonObject } from './body-fields';

/** HostConfig.RestartPolicy, which `docker update --restart` sends as well as create. */
export function parseRestartPolicy(host: JsonObject): RestartPolicy {
  const policy = objectField(host, 'RestartPolicy', 'HostConfig.RestartPolicy') ?? {};
  // Core checks the name against Docker's four policies.
  const name = (stringField(policy, 'Name', 'HostConfig.RestartPolicy.Name') ??
    'no') as RestartPolicyName;
  const retries = amountField(
    policy,
    'MaximumRetryCount',
    'HostConfig.RestartPolicy.MaximumRetryCount',
  );
  if (retries !== undefined && !Number.isInteger(retries)) {
    throw badRequest('invalid HostConfig.RestartPolicy.MaximumRetryCount: expected a whole number');
  }
  return retries === undefined ? { name } : { name, maximumRetryCount: retries };
}
