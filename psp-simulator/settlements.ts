import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BalanceBreaks } from "./balance-breaks.js";
import type { Clock } from "./clock.js";
import type { DiscrepancyInjector } from "./discrepancies.js";
import { invalidParam, resourceMissing } from "./errors.js";
import type { Journal } from "./journal.js";
import { balanceRecord, closingBalanceLines, csvLine, fileLine, SETTLEMENT_HEADER } from "./settlement-csv.js";
import type { SettlementCalendar } from "./settlement-calendar.js";

export interface Settlement {
  /** YYYY-MM-DD, the settlement day. */
  date: string;
  fileName: string;
  /** Movement lines as written, discrepancies included; neither the header nor the closing balances. */
  lines: number;
  closingBalance: Record<string, number>;
  /** Unix seconds, simulator time, of the cut that wrote the file as it is. */
  created: number;
  digest: string;
}

export function settlementObject(settlement: Settlement) {
  return {
    id: `st_${settlement.date}`,
    object: "settlement" as const,
    date: settlement.date,
    file_name: settlement.fileName,
    lines: settlement.lines,
    closing_balance: settlement.closingBalance,
    created: settlement.created,
  };
}

export interface SettlementsOptions {
  /** An existing directory. */
  dir: string;
  calendar: SettlementCalendar;
  clock: Clock;
  journal: Journal;
  discrepancies: DiscrepancyInjector;
  balanceBreaks: BalanceBreaks;
}

/** A reader polling the directory must never see half a file: it appears whole, by a rename. */
function writeWhole(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

/**
 * The daily settlement files: one per day, cut at the day's end by the simulator clock, from the day the simulator
 * started. A day can also be cut early, or again; a file is a function of the day's movements, the balance before
 * it, its discrepancies and its balance breaks, so cutting an unchanged day again leaves it as it is.
 */
export class Settlements {
  private readonly written = new Map<string, Settlement>();
  /** The day the simulator started in, its first settlement day. */
  readonly firstDate: string;

  constructor(private readonly options: SettlementsOptions) {
    this.firstDate = options.calendar.dateOf(options.clock.now());
  }

  /** Schedules the first day's cutoff; each cutoff schedules the next one. */
  start(): void {
    this.scheduleCutoff(this.firstDate);
  }

  /** Cuts day `date` now (default: the current day, so far); only days from the first one to today. */
  run(date: string | null): Settlement {
    const today = this.options.calendar.dateOf(this.options.clock.now());
    const day = date ?? today;
    if (day < this.firstDate || day > today) {
      throw invalidParam(
        "date",
        `Invalid date: ${day} is not a settlement day of this simulator so far (${this.firstDate} to ${today}).`,
      );
    }
    return this.cut(day);
  }

  /** Oldest first. */
  list(): Settlement[] {
    return [...this.written.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
  }

  get(date: string | undefined): Settlement {
    const settlement = date === undefined ? undefined : this.written.get(date);
    if (!settlement) throw resourceMissing(`No such settlement: '${date}'`, "date");
    return settlement;
  }

  /** The file as written. */
  read(settlement: Settlement): string {
    return readFileSync(join(this.options.dir, settlement.fileName), "utf8");
  }

  private scheduleCutoff(date: string): void {
    const { calendar, clock } = this.options;
    const { end } = calendar.window(date);
    clock.at(end, () => {
      // Before writing, so that a failed write does not stop the days after.
      this.scheduleCutoff(calendar.dateOf(end));
      this.cut(date);
    });
  }

  private cut(date: string): Settlement {
    const { calendar, clock, journal, discrepancies, balanceBreaks, dir } = this.options;
    const { start, end } = calendar.window(date);
    const lines = discrepancies.apply(date, journal.during(start, end).map(fileLine));
    const balances = balanceBreaks.stated(date, journal.balancesBefore(end));
    const content =
      SETTLEMENT_HEADER + lines.map((line) => csvLine(line.fields)).join("") + closingBalanceLines(balances, end);
    const digest = createHash("sha256").update(content).digest("hex");
    const previous = this.written.get(date);
    if (previous?.digest === digest) return previous;

    const settlement: Settlement = {
      date,
      fileName: `settlement-${date}.csv`,
      lines: lines.length,
      closingBalance: balanceRecord(balances),
      created: Math.floor(clock.eventTime() / 1000),
      digest,
    };
    writeWhole(join(dir, settlement.fileName), content);
    this.written.set(date, settlement);
    return settlement;
  }
}
