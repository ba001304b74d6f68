import { Gauge, type Registry } from "prom-client";

export interface GaugeSample<L extends string> {
  labels: Partial<Record<L, string>>;
  value: number;
}

/**
 * A gauge read from its source at each scrape. When the source fails (the database or NATS is down), the gauge has
 * no series in that scrape, rather than a stale or zero value, and the rest of the scrape goes on.
 */
export function scrapedGauge<L extends string = never>(
  registry: Registry,
  config: { name: string; help: string; labelNames?: readonly L[] },
  read: () => Promise<GaugeSample<L>[]>,
): Gauge<L> {
  const labelled = (config.labelNames ?? []).length > 0;
  return new Gauge<L>({
    ...config,
    registers: [registry],
    async collect() {
      const samples = await read().catch(() => []);
      this.reset();
      if (!labelled) this.remove({}); // reset() leaves an unlabelled gauge at 0
      for (const { labels, value } of samples) this.set(labels, value);
    },
  });
}

/** One read shared by the gauges a scrape fills from it: prom-client runs their collect callbacks together. */
export function onePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => (inFlight ??= read().finally(() => (inFlight = undefined)));
}
