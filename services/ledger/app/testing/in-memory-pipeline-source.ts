import { HOUR_MS, type HourTotal, type SettledItem } from "../../domain/stalls.js";
import type { PipelineSource } from "../ports.js";

/** An item a source settled: created at `createdAt` (the hour it is counted in), settled at `settledAt`. */
export interface SourceItem extends SettledItem {
  flow: string;
  createdAt: Date;
  settledAt: Date;
}

/** A PipelineSource in memory, for unit tests: the items given, counted and listed as the services' stores do. */
export class InMemoryPipelineSource implements PipelineSource {
  readonly items: SourceItem[] = [];
  /** The hours listed item by item, as "<flow>@<ISO hour>". */
  readonly listed: string[] = [];
  unpublished = 0n;
  oldestUnpublished: Date | undefined;

  constructor(
    readonly service: string,
    readonly flows: readonly string[],
    /** Items per page of settledItems. */
    private readonly pageSize = 100,
  ) {}

  settle(...items: SourceItem[]): this {
    this.items.push(...items);
    return this;
  }

  async health(
    since: Date,
    settledBefore: Date,
  ): Promise<{ hours: HourTotal[]; unpublished: bigint; oldestUnpublished: Date | undefined }> {
    const hours = new Map<string, HourTotal>();
    for (const item of this.items.filter((i) => i.createdAt >= since && i.settledAt < settledBefore)) {
      const hour = Math.floor(item.createdAt.getTime() / HOUR_MS) * HOUR_MS;
      const currency = item.currency ?? "";
      const key = `${item.flow}/${hour}/${currency}`;
      const total = hours.get(key) ?? { flow: item.flow, hour, currency, count: 0n, sumMinor: 0n };
      hours.set(key, { ...total, count: total.count + 1n, sumMinor: total.sumMinor + (item.amountMinor ?? 0n) });
    }
    return { hours: [...hours.values()], unpublished: this.unpublished, oldestUnpublished: this.oldestUnpublished };
  }

  async *settledItems(flow: string, from: Date, until: Date, settledBefore: Date): AsyncIterable<SettledItem[]> {
    this.listed.push(`${flow}@${from.toISOString()}`);
    const items = this.items.filter(
      (i) => i.flow === flow && i.createdAt >= from && i.createdAt < until && i.settledAt < settledBefore,
    );
    for (let i = 0; i < items.length; i += this.pageSize)
      yield items.slice(i, i + this.pageSize).map(({ id, currency, amountMinor }) => ({ id, currency, amountMinor }));
  }
}
