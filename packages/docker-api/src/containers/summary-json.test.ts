import type { ContainerView } from '@shoal/core';
import { describe, expect, it } from 'vitest';
import { memoryServices } from '../test-support/memory-services';
import { SummaryJson, around } from './summary-json';
import { summaryBody } from './views';

async function listed(version: string): Promise<ContainerView> {
  const { containers } = memoryServices();
  const view = await containers.create('tenant-acme', {
    name: 'web',
    image: 'nginx',
    labels: { team: 'a "quoted" \u2028 label', Status: 'not the status' },
    ports: [{ containerPort: 80, protocol: 'tcp' }],
    networks: [],
  });
  return {
    ...view,
    spec: {
      ...view.spec,
      networks: [{ id: 'n1', name: 'backend', aliases: ['api'] }],
    },
    version,
  };
}

/** The one entry of a listing of `view`. */
function entry(summaries: SummaryJson, view: ContainerView, apiVersion = '1.47') {
  return JSON.parse(summaries.listing([view], apiVersion).toString())[0];
}

describe('docker ps entries kept as JSON', () => {
  it('are the JSON of the summaries, byte for byte, on first and later reads', async () => {
    const summaries = new SummaryJson();
    const view = await listed('7/t1/9');
    const other = {
      ...(await listed('3/t2/4')),
      id: 'f'.repeat(64),
      status: 'Exited (1) 2 hours ago',
    };
    const expected = `${JSON.stringify([view, other].map((v) => summaryBody(v, '1.47')))}\n`;
    expect(summaries.listing([view, other], '1.47').toString()).toBe(expected);
    expect(summaries.listing([view, other], '1.47').toString()).toBe(expected);
    expect(summaries.listing([], '1.47').toString()).toBe('[]\n');
  });

  it('word Status at each read, though the container is unchanged', async () => {
    const summaries = new SummaryJson();
    const view = await listed('7/t1/9');
    entry(summaries, { ...view, status: 'Up 1 second' });
    expect(entry(summaries, { ...view, status: 'Up 2 minutes' }).Status).toBe('Up 2 minutes');
  });

  it('show a container as its new version has it', async () => {
    const summaries = new SummaryJson();
    const view = await listed('7/t1/9');
    entry(summaries, view);
    const changed = { ...view, name: 'renamed', state: 'exited' as const, version: '8/t1/9' };
    expect(entry(summaries, changed)).toMatchObject({ Names: ['/renamed'], State: 'exited' });
  });

  it('follow the API version the client speaks', async () => {
    const summaries = new SummaryJson();
    const view = await listed('7/t1/9');
    const aliases = (api: string) =>
      entry(summaries, view, api).NetworkSettings.Networks.backend.Aliases;
    expect(aliases('1.47')).toEqual(['api']);
    // Before 1.45 Docker listed the short id among the aliases.
    expect(aliases('1.44')).toEqual(['api', view.id.slice(0, 12)]);
    expect(aliases('1.47')).toEqual(['api']);
  });

  it('write a view from outside a listing whole, as it is', async () => {
    const summaries = new SummaryJson();
    const { version: _, ...unversioned } = await listed('');
    expect(summaries.listing([unversioned], '1.47').toString()).toBe(
      `${JSON.stringify([summaryBody(unversioned, '1.47')])}\n`,
    );
  });
});

describe('around', () => {
  it('splits at the key whether it comes first, between or last', () => {
    for (const key of ['a', 'b', 'c']) {
      const body = { a: 1, b: 'two', c: [3] };
      const [before, after] = around(body, key);
      expect(
        `${before.toString()}${JSON.stringify(body[key as keyof typeof body])}${after.toString()}`,
      ).toBe(JSON.stringify(body));
    }
  });
});
