import type { scheduler } from '../generated/types';

// Messages several test files exercise: the codec fixtures spell out their
// expected bytes and JSON, the client tests send them over HTTP.

/** Beyond 2^53: a double would corrupt it. */
export const BIG_NANOS = 1_700_000_000_123_456_789n;

export const ACCEPT_DOCKER_LAUNCH: scheduler.Call = {
  framework_id: { value: 'fw-1' },
  type: 'ACCEPT',
  accept: {
    offer_ids: [{ value: 'o1' }],
    operations: [
      {
        type: 'LAUNCH',
        launch: {
          task_infos: [
            {
              name: 'web',
              task_id: { value: 't1' },
              agent_id: { value: 'a1' },
              resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
              command: { shell: false },
              container: {
                type: 'DOCKER',
                docker: {
                  image: 'nginx',
                  network: 'BRIDGE',
                  port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'tcp' }],
                },
              },
            },
          ],
        },
      },
    ],
    filters: { refuse_seconds: 5 },
  },
};

export const OFFERS_EVENT: scheduler.Event = {
  type: 'OFFERS',
  offers: {
    offers: [
      {
        id: { value: 'o1' },
        framework_id: { value: 'fw-1' },
        agent_id: { value: 'a1' },
        hostname: 'h1',
        resources: [
          {
            name: 'ports',
            type: 'RANGES',
            ranges: { range: [{ begin: 31000n, end: 32000n }] },
            allocation_info: { role: 'shoal/a' },
          },
        ],
        unavailability: { start: { nanoseconds: BIG_NANOS } },
        allocation_info: { role: 'shoal/a' },
      },
    ],
  },
};
