// A small Prometheus text-format registry: counters and histograms kept here,
// gauges computed when scraped.

type Labels = Record<string, string>;

const key = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([k, v]) =>
        `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`,
    )
    .join(',');

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines;
  }
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[],
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    this.buckets.forEach((b, i) => {
      if (value <= b) this.counts[i]! += 1;
    });
  }

  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} histogram`,
      ...this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.counts[i]}`),
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    ];
  }
}

export interface GaugeSample {
  labels?: Labels;
  value: number;
}

export class Registry {
  private readonly kept: (Counter | Histogram)[] = [];
  private readonly gauges: { name: string; help: string; read: () => Promise<GaugeSample[]> }[] =
    [];

  counter(name: string, help: string): Counter {
    const c = new Counter(name, help);
    this.kept.push(c);
    return c;
  }

  histogram(name: string, help: string, buckets: number[]): Histogram {
    const h = new Histogram(name, help, buckets);
    this.kept.push(h);
    return h;
  }

  gauge(name: string, help: string, read: () => Promise<GaugeSample[]>): void {
    this.gauges.push({ name, help, read });
  }

  async render(): Promise<string> {
    const lines = this.kept.flatMap((m) => m.render());
    for (const g of this.gauges) {
      lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      for (const s of await g.read()) {
        const k = key(s.labels ?? {});
        lines.push(`${g.name}${k ? `{${k}}` : ''} ${s.value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
