import type { Attempt } from "../faults/retrying-client.js";

/** One window of the load: what the clients sent, what was answered, how long the answers took. */
export interface LoadWindow {
  /** Milliseconds from the start of the load. */
  startMs: number;
  /** Checkouts started in the window: the arrival rate, whatever the platform answers. */
  started: number;
  /** RPC attempts that ended in the window, answered or not. */
  attempts: number;
  /** Calls answered OK in the window (after their retries, if any). */
  ok: number;
  /** Failed attempts by gRPC status name. */
  errors: Record<string, number>;
  /** Latency of the calls answered OK, first attempt to answer, retries included. */
  p50Ms: number | undefined;
  p99Ms: number | undefined;
}

/** Something the test did to the platform (e.g. "PG primary killed"), at a time from the start of the load. */
export interface Mark {
  label: string;
  atMs: number;
}

/** What happened between two marks (or before the first, after the last). */
export interface Phase {
  label: string;
  fromMs: number;
  toMs: number;
  ok: number;
  failedAttempts: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  /** From the phase's start to the end of its last failed attempt: how long the platform failed callers. */
  disruptedMs: number;
}

interface Answer {
  endedAt: number;
  latencyMs: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | undefined {
  return sorted.length === 0
    ? undefined
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The load's attempts, answers and marks over time, per window of `windowMs`. */
export class LoadTimeline {
  private readonly attempts: Attempt[] = [];
  private readonly answers: Answer[] = [];
  private readonly arrivals: number[] = [];
  readonly marks: Mark[] = [];

  constructor(
    readonly startedAt = Date.now(),
    readonly windowMs = 1_000,
  ) {}

  attempt(attempt: Attempt): void {
    this.attempts.push(attempt);
  }

  /** A checkout started. */
  arrived(at = Date.now()): void {
    this.arrivals.push(at);
  }

  /** A call answered OK that started at `startedAt`. */
  answered(startedAt: number, endedAt = Date.now()): void {
    this.answers.push({ endedAt, latencyMs: endedAt - startedAt });
  }

  mark(label: string, at = Date.now()): void {
    this.marks.push({ label, atMs: at - this.startedAt });
  }

  /** Failed attempts by status name, e.g. { UNAVAILABLE: 12 }. */
  errorsByCode(): Record<string, number> {
    return countCodes(this.attempts);
  }

  windows(until = Date.now()): LoadWindow[] {
    const count = Math.max(1, Math.ceil((until - this.startedAt) / this.windowMs));
    return Array.from({ length: count }, (_, i) => {
      const from = this.startedAt + i * this.windowMs;
      const inWindow = <T extends { endedAt: number }>(items: T[]) =>
        items.filter((x) => x.endedAt >= from && x.endedAt < from + this.windowMs);
      const attempts = inWindow(this.attempts);
      const latencies = inWindow(this.answers)
        .map((a) => a.latencyMs)
        .sort((a, b) => a - b);
      const started = this.arrivals.filter((at) => at >= from && at < from + this.windowMs).length;
      return {
        startMs: i * this.windowMs,
        started,
        attempts: attempts.length,
        ok: latencies.length,
        errors: countCodes(attempts),
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
      };
    });
  }

  phases(until = Date.now()): Phase[] {
    const bounds = [{ label: "before any mark", atMs: 0 }, ...this.marks, { label: "", atMs: until - this.startedAt }];
    return bounds.slice(0, -1).map((mark, i) => {
      const [from, to] = [this.startedAt + mark.atMs, this.startedAt + bounds[i + 1]!.atMs];
      const latencies = this.answers
        .filter((a) => a.endedAt >= from && a.endedAt < to)
        .map((a) => a.latencyMs)
        .sort((a, b) => a - b);
      const failed = this.attempts.filter((a) => a.code !== "OK" && a.endedAt >= from && a.endedAt < to);
      return {
        label: i === 0 ? mark.label : `after "${mark.label}"`,
        fromMs: mark.atMs,
        toMs: to - this.startedAt,
        ok: latencies.length,
        failedAttempts: failed.length,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.at(-1),
        disruptedMs: failed.length === 0 ? 0 : Math.max(...failed.map((a) => a.endedAt)) - from,
      };
    });
  }

  /** The per-window table with the marks where they happened, then the phases. */
  format(until = Date.now()): string {
    const ms = (v: number | undefined) => (v === undefined ? "-" : String(v));
    const lines = ["   t(s)  started attempts     ok  p50(ms)  p99(ms)  failed attempts"];
    const marks = [...this.marks];
    for (const w of this.windows(until)) {
      while (marks.length > 0 && marks[0]!.atMs < w.startMs + this.windowMs)
        lines.push(`   >>> ${(marks[0]!.atMs / 1000).toFixed(1)} s: ${marks.shift()!.label}`);
      const errors = Object.entries(w.errors)
        .map(([code, n]) => `${code}=${n}`)
        .join(" ");
      lines.push(
        `${(w.startMs / 1000).toFixed(0).padStart(7)} ${String(w.started).padStart(8)} ${String(w.attempts).padStart(8)} ${String(w.ok).padStart(6)} ${ms(w.p50Ms).padStart(8)} ${ms(w.p99Ms).padStart(8)}  ${errors}`,
      );
    }
    lines.push("phases:");
    for (const p of this.phases(until)) {
      const rate = p.toMs > p.fromMs ? ((p.ok * 1000) / (p.toMs - p.fromMs)).toFixed(1) : "-";
      lines.push(
        `  ${p.label} (${(p.fromMs / 1000).toFixed(1)}-${(p.toMs / 1000).toFixed(1)} s): ok=${p.ok} (${rate}/s) failed_attempts=${p.failedAttempts} ` +
          `p50=${ms(p.p50Ms)} ms p99=${ms(p.p99Ms)} ms max=${ms(p.maxMs)} ms disrupted=${p.disruptedMs} ms`,
      );
    }
    return lines.join("\n");
  }
}

function countCodes(attempts: Attempt[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { code } of attempts) if (code !== "OK") counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}
