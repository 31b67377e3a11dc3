import { describe, expect, it } from 'vitest';
import {
  addResources,
  cappedScalar,
  capScalars,
  containsCapped,
  containsResources,
  type Resources,
  resourcesFromWire,
  resourcesToWire,
  subtractResources,
} from './resources';

const r = (
  scalars: Record<string, number>,
  ports: [number, number][] = [],
  revocable: Record<string, number> = {},
): Resources => ({
  scalars,
  ports,
  revocable,
});

describe('resources', () => {
  it('adds and subtracts scalars in fixed point and port ranges by set', () => {
    const sum = addResources(
      r({ cpus: 0.1 }, [[31000, 31010]]),
      r({ cpus: 0.2 }, [[31011, 31020]]),
    );
    expect(sum).toEqual(r({ cpus: 0.3 }, [[31000, 31020]]));
    expect(subtractResources(sum, r({ cpus: 0.3 }, [[31005, 31005]]))).toEqual(
      r({}, [
        [31000, 31004],
        [31006, 31020],
      ]),
    );
  });

  it('checks containment including ranges and revocable scalars', () => {
    const pool = r({ cpus: 2, mem: 1024 }, [[31000, 31100]], { cpus: 1 });
    expect(containsResources(pool, r({ cpus: 2 }, [[31050, 31060]]))).toBe(true);
    expect(containsResources(pool, r({}, [[30999, 31000]]))).toBe(false);
    expect(containsResources(pool, r({}, [], { cpus: 2 }))).toBe(false);
  });

  it('caps scalars to a headroom', () => {
    expect(capScalars(r({ cpus: 4, mem: 100 }), { cpus: 1.5 })).toEqual(r({ cpus: 1.5, mem: 100 }));
    expect(capScalars(r({ cpus: 4 }), { cpus: 0 })).toEqual(r({}));
  });

  it('tells what capping would leave, and whether a filter holds it, as the capped bag would', () => {
    const free = r({ cpus: 4, mem: 8192, disk: 100 }, [[31000, 31100]], { cpus: 1 });
    const caps: Record<string, number>[] = [{ cpus: 1.5, mem: 512 }, { mem: 256.0004 }];
    const capped = capScalars(capScalars(free, caps[0]!), caps[1]!);
    for (const name of ['cpus', 'mem', 'disk', 'gpus'])
      expect(cappedScalar(free, name, caps)).toBe(capped.scalars[name] ?? 0);
    expect(cappedScalar(free, 'cpus', [{ cpus: 0 }])).toBe(0);
    const filters = [
      r({ cpus: 1.5, mem: 256, disk: 100 }, [[31000, 31100]], { cpus: 1 }),
      r({ cpus: 1.5, mem: 256, disk: 100 }, [[31000, 31100]]),
      r({ cpus: 1.5, mem: 255, disk: 100 }, [[31000, 31100]], { cpus: 1 }),
      r({ cpus: 1.5, mem: 256, disk: 100 }, [[31000, 31050]], { cpus: 1 }),
    ];
    for (const filter of filters) {
      expect(containsCapped(filter, free, true, caps)).toBe(containsResources(filter, capped));
      expect(containsCapped(filter, free, false, caps)).toBe(
        containsResources(filter, { ...capped, revocable: {} }),
      );
    }
    expect(filters.map((f) => containsCapped(f, free, true, caps))).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('round-trips the wire form, marking revocable and allocation role', () => {
    const bag = r({ cpus: 1 }, [[31000, 31001]], { mem: 64 });
    const wire = resourcesToWire(bag, { allocationRole: 'dev' });
    expect(wire.every((x) => x.allocation_info?.role === 'dev')).toBe(true);
    expect(wire.find((x) => x.name === 'mem')?.revocable).toEqual({});
    expect(resourcesFromWire(wire)).toEqual(bag);
  });

  it('refuses reserved resources', () => {
    expect(() =>
      resourcesFromWire([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'dev' }]),
    ).toThrow(/Reserved/);
  });
});
