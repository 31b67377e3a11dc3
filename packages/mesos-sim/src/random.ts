/**
 * Seeded randomness. Every id, uuid and shuffle in the emulator comes from here so that a
 * run with the same `seed` and the same calls produces the same ids, which keeps test
 * failures reproducible.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform float in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      let word = Math.floor(this.next() * 4294967296);
      for (let j = i; j < Math.min(i + 4, length); j++) {
        out[j] = word & 0xff;
        word >>>= 8;
      }
    }
    return out;
  }

  /** 16 random bytes with the version-4 and variant bits set, as Mesos's UUID::random(). */
  uuidBytes(): Uint8Array {
    const b = this.bytes(16);
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
    return b;
  }

  uuid(): string {
    return formatUuid(this.uuidBytes());
  }

  /** Fisher–Yates in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Mints ids in the shapes a Mesos master uses: `<master-uuid>-0000` for frameworks,
 * `<master-uuid>-S3` for agents and `<master-uuid>-O17` for offers (inverse offers share
 * the offer sequence, as in Mesos).
 */
export class IdMint {
  private frameworks = 0;
  private agents = 0;
  private offers = 0;

  constructor(readonly clusterId: string) {}

  framework(): string {
    return `${this.clusterId}-${String(this.frameworks++).padStart(4, '0')}`;
  }

  agent(): string {
    return `${this.clusterId}-S${this.agents++}`;
  }

  offer(): string {
    return `${this.clusterId}-O${this.offers++}`;
  }
}
