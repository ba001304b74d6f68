import { open } from "node:fs/promises";
import { isSupportedCurrency } from "./currencies.js";
import { FeeSchedule, type FeeOptions } from "./fees.js";
import { addTo, type Movement } from "./movements.js";
import { balanceRecord, closingBalanceLines, csvLine, movementFields, SETTLEMENT_HEADER } from "./settlement-csv.js";
import { isSettlementDate, SettlementCalendar } from "./settlement-calendar.js";

export interface SyntheticSettlementOptions {
  /** How many charge lines; the i-th (from 1) is `pi_bench_<i>` for our payment `pay_bench_<i>`, i zero-padded to 6 digits. */
  lines: number;
  /** Line i is in `currencies[(i - 1) % length]`; default ["EUR"]. */
  currencies?: readonly string[];
  /** The settlement day, YYYY-MM-DD; default "2024-01-01". */
  date?: string;
  /** As the simulator's `settlementCutoff`; default "00:00". */
  cutoff?: string;
  /** As the simulator's fee options. */
  fees?: FeeOptions;
  /** The balance per currency before the day; default 0. */
  openingBalance?: Readonly<Record<string, number>>;
}

export interface SyntheticSettlement {
  lines: number;
  /** As in the closing balance lines. */
  closingBalance: Record<string, number>;
}

// Lines per write: big enough for throughput, small enough to keep memory flat.
const LINES_PER_CHUNK = 8192;

function checkedOptions(options: SyntheticSettlementOptions) {
  const { lines, currencies = ["EUR"], date = "2024-01-01" } = options;
  if (!Number.isSafeInteger(lines) || lines < 0)
    throw new RangeError(`synthetic settlement: lines must be an integer >= 0, got ${lines}`);
  if (currencies.length === 0 || !currencies.every(isSupportedCurrency)) {
    throw new RangeError(
      `synthetic settlement: currencies must be supported upper-case codes, got ${currencies.join(",")}`,
    );
  }
  if (!isSettlementDate(date)) throw new RangeError(`synthetic settlement: date must be YYYY-MM-DD, got ${date}`);
  return {
    lines,
    currencies,
    window: new SettlementCalendar(options.cutoff).window(date),
    fees: new FeeSchedule(options.fees),
  };
}

/**
 * The movements of a synthetic settlement day, one at a time: charges spread evenly over the day, with
 * deterministic amounts (100 to 100,099 minor units), so that a benchmark can build the matching ledger rows
 * without reading the file.
 */
export function* syntheticMovements(options: SyntheticSettlementOptions): Generator<Movement> {
  const { lines, currencies, window, fees } = checkedOptions(options);
  for (let i = 1; i <= lines; i++) {
    const number = String(i).padStart(6, "0");
    const currency = currencies[(i - 1) % currencies.length] as string;
    const gross = 100 + ((Math.imul(i, 2_654_435_761) >>> 0) % 100_000);
    yield {
      pspReference: `pi_bench_${number}`,
      ourReference: `pay_bench_${number}`,
      type: "charge",
      gross,
      fee: fees.charge(gross, currency),
      currency,
      time: window.start + Math.floor(((i - 1) * (window.end - window.start)) / lines),
    };
  }
}

/** Streams a synthetic settlement file to `path`, in exactly the simulator's format, holding one chunk of lines at a time. */
export async function writeSyntheticSettlement(
  path: string,
  options: SyntheticSettlementOptions,
): Promise<SyntheticSettlement> {
  const { window } = checkedOptions(options);
  const balances = new Map(Object.entries(options.openingBalance ?? {}));
  const file = await open(path, "w");
  try {
    let chunk = SETTLEMENT_HEADER;
    let inChunk = 0;
    for (const movement of syntheticMovements(options)) {
      addTo(balances, movement);
      chunk += csvLine(movementFields(movement));
      if (++inChunk === LINES_PER_CHUNK) {
        await file.write(chunk);
        chunk = "";
        inChunk = 0;
      }
    }
    await file.write(chunk + closingBalanceLines(balances, window.end));
  } finally {
    await file.close();
  }
  return { lines: options.lines, closingBalance: balanceRecord(balances) };
}
