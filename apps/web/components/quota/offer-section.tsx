import type { inferRouterOutputs } from '@trpc/server';
import type { ReactNode } from 'react';
import type { AppRouter } from '@shoal/api';
import { OfferChart } from '@/components/quota/offer-chart';
import { OfferRangeSelect } from '@/components/quota/offer-range-select';
import { Section } from '@/components/ui/section';
import { Empty, QueryState } from '@/components/ui/states';

/** A window's offers, per resource: what a tenant's series and the cluster's both hold. */
type OfferWindow = inferRouterOutputs<AppRouter>['offers']['series'][number];

interface Titles {
  cpus: string;
  memory: string;
  revocableCpus: string;
  revocableMemory: string;
}

/**
 * Offers over time, CPUs and memory side by side, with the range to show: the same
 * section on a tenant's quota page and on the cluster page. Revocable (oversubscribed)
 * resources, which agents may take back at any time, have charts of their own, shown
 * when the range holds any.
 */
export function OfferSection({
  offers,
  hours,
  onHoursChange,
  titles,
  whenEmpty,
  testId,
}: {
  offers: { data: OfferWindow[] | undefined; error: unknown; isPending: boolean };
  hours: number;
  onHoursChange: (hours: number) => void;
  titles: Titles;
  whenEmpty: ReactNode;
  testId?: string;
}) {
  return (
    <Section
      title="Offers over time"
      actions={<OfferRangeSelect hours={hours} onChange={onHoursChange} />}
    >
      <QueryState query={offers} what="offer statistics">
        {(series) =>
          series.length === 0 ? (
            <Empty title="No offers recorded in this range">{whenEmpty}</Empty>
          ) : (
            <div className="grid gap-6 lg:grid-cols-2" data-testid={testId}>
              {chartsOf(series, titles).map(({ title, unit, amounts }) => (
                <OfferChart
                  key={title}
                  title={title}
                  unit={unit}
                  points={series.map((p) => ({ windowStart: p.windowStart, ...amounts(p) }))}
                />
              ))}
            </div>
          )
        }
      </QueryState>
    </Section>
  );
}

/** Firm CPUs and memory, then revocable ones if the range holds any. */
function chartsOf(series: OfferWindow[], titles: Titles) {
  const firm = [
    { title: titles.cpus, unit: 'CPUs', amounts: (p: OfferWindow) => p.cpus },
    { title: titles.memory, unit: 'MB', amounts: (p: OfferWindow) => p.memoryMb },
  ];
  const revocable = [
    { title: titles.revocableCpus, unit: 'CPUs', amounts: (p: OfferWindow) => p.revocableCpus },
    { title: titles.revocableMemory, unit: 'MB', amounts: (p: OfferWindow) => p.revocableMemoryMb },
  ];
  const anyRevocable = series.some(
    (p) => p.revocableCpus.offered > 0 || p.revocableMemoryMb.offered > 0,
  );
  return anyRevocable ? [...firm, ...revocable] : firm;
}
