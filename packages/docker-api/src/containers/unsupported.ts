import { notImplemented } from '../errors';
import type { RequestContext, Route } from '../router';
import { refuseWith } from '../unsupported';

// Container operations a Mesos task cannot offer. Each answers 501 with the
// reason, after resolving the container so a wrong name is still a 404.

function refuse(reason: string) {
  return async (ctx: RequestContext) => {
    await ctx.services.containers.get(ctx.caller.tenantId, ctx.params.id ?? '');
    throw notImplemented(reason);
  };
}

const CONTAINER_REFUSALS: [method: Route['method'], action: string, reason: string][] = [
  [
    'GET',
    'top',
    'docker top is not supported: the processes run on a Mesos agent, which does not list them for frameworks',
  ],
  ['POST', 'pause', 'pause is not supported: Mesos tasks cannot be frozen'],
  ['POST', 'unpause', 'unpause is not supported: Mesos tasks cannot be frozen'],
  [
    'GET',
    'changes',
    'docker diff is not supported: the container filesystem lives on its Mesos agent',
  ],
  ['GET', 'export', 'export is not supported: the container filesystem lives on its Mesos agent'],
  [
    'GET',
    'archive',
    'docker cp is not supported: the container filesystem lives on its Mesos agent',
  ],
  [
    'PUT',
    'archive',
    'docker cp is not supported: the container filesystem lives on its Mesos agent',
  ],
  [
    'HEAD',
    'archive',
    'docker cp is not supported: the container filesystem lives on its Mesos agent',
  ],
];

export const unsupportedContainerRoutes: Route[] = [
  ...CONTAINER_REFUSALS.map(([method, action, reason]): Route => ({
    method,
    path: `/containers/{id}/${action}`,
    handle: refuse(reason),
  })),
  {
    method: 'POST',
    path: '/commit',
    handle: refuseWith(
      'docker commit is not supported: the container filesystem lives on its Mesos agent',
    ),
  },
];
