import { isKnownCurrency, MAX_MINOR_UNITS } from "../../lib/money.js";

/**
 * One line of the PSP's settlement file, read against its CSV contract (psp-simulator/README.md, CSV contract).
 * Pure: a line of text in, what it says (or why it cannot be read) out.
 */
export const SETTLEMENT_HEADER = "psp_reference,our_reference,type,gross,fee,net,currency,time";

export const LINE_TYPES = ["charge", "refund", "payout", "fee", "chargeback", "chargeback_reversal"] as const;
export type LineType = (typeof LINE_TYPES)[number];

export interface SettlementLine {
  pspReference: string;
  ourReference: string;
  type: LineType;
  /** Signed from the merchant's balance point of view, minor units. */
  gross: bigint;
  fee: bigint;
  currency: string;
  /** ms since the epoch. */
  time: number;
}

export type ParsedLine =
  | { kind: "movement"; line: SettlementLine }
  | { kind: "closing_balance"; currency: string; balance: bigint; time: number }
  /** What could be read of it, to tell which movement it was meant to be. */
  | { kind: "malformed"; problem: string; pspReference: string; ourReference: string; type: string };

const INTEGER = /^(0|-?[1-9]\d*)$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The sign `gross` must have per type: charges and reversals credit the balance, the rest debit it, a fee line is 0. */
const GROSS_SIGN: Record<LineType, 1n | -1n | 0n> = {
  charge: 1n,
  refund: -1n,
  payout: -1n,
  fee: 0n,
  chargeback: -1n,
  chargeback_reversal: 1n,
};

/** RFC 4180 fields of one record; undefined when a quote is left open or stray. */
export function splitCsv(text: string): string[] | undefined {
  if (!text.includes('"')) return text.split(",");
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1) return undefined;
        field += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          field += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      if (i < text.length && text[i] !== ",") return undefined;
    } else {
      const comma = text.indexOf(",", i);
      field = text.slice(i, comma === -1 ? text.length : comma);
      if (field.includes('"')) return undefined;
      i = comma === -1 ? text.length : comma;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

class Malformed extends Error {}

/** The fields of a line, as the header names them. */
type Fields = [
  pspReference: string,
  ourReference: string,
  type: string,
  gross: string,
  fee: string,
  net: string,
  currency: string,
  time: string,
];

const hasEveryField = (fields: string[]): fields is Fields => fields.length === 8;

const isLineType = (type: string): type is LineType => (LINE_TYPES as readonly string[]).includes(type);

function integer(name: string, value: string): bigint {
  if (value === "") throw new Malformed(`${name} is missing`);
  if (!INTEGER.test(value)) throw new Malformed(`${name} "${value}" is not an integer number of minor units`);
  const amount = BigInt(value);
  if (amount > MAX_MINOR_UNITS || -amount > MAX_MINOR_UNITS)
    throw new Malformed(`${name} ${value} is beyond the largest amount a ledger entry holds (${MAX_MINOR_UNITS})`);
  return amount;
}

function time(value: string): number {
  if (value === "") throw new Malformed("time is missing");
  const ms = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new Malformed(`time "${value}" is not an ISO 8601 UTC time with milliseconds`);
  return ms;
}

function currency(value: string): string {
  if (value === "") throw new Malformed("currency is missing");
  if (!isKnownCurrency(value)) throw new Malformed(`currency "${value}" is not an ISO 4217 code`);
  return value;
}

function movement(type: LineType, fields: Fields): SettlementLine {
  const [pspReference, ourReference, , grossText, feeText, netText, currencyText, timeText] = fields;
  if (pspReference === "" || ourReference === "")
    throw new Malformed("psp_reference and our_reference are required on a movement line");
  const gross = integer("gross", grossText);
  const fee = integer("fee", feeText);
  const net = integer("net", netText);
  if (fee < 0n) throw new Malformed(`fee ${fee} is negative`);
  if (fee !== 0n && type !== "charge" && type !== "fee") throw new Malformed(`a ${type} line has no fee, got ${fee}`);
  if (net !== gross - fee) throw new Malformed(`net ${net} is not gross ${gross} - fee ${fee}`);
  const sign = GROSS_SIGN[type];
  if ((sign === 0n && gross !== 0n) || (sign !== 0n && gross * sign <= 0n)) {
    throw new Malformed(`gross ${gross} has the wrong sign for a ${type} line`);
  }
  return { pspReference, ourReference, type, gross, fee, currency: currency(currencyText), time: time(timeText) };
}

/** Reads one line of the file (not the header). */
export function parseLine(text: string): ParsedLine {
  const fields = splitCsv(text);
  const [pspReference = "", ourReference = "", type = ""] = fields ?? [];
  try {
    if (fields === undefined) throw new Malformed("its quotes do not pair up (RFC 4180)");
    if (!hasEveryField(fields)) throw new Malformed(`it has ${fields.length} fields, not 8`);
    if (type === "closing_balance") {
      const [, , , , , net, currencyText, timeText] = fields;
      return {
        kind: "closing_balance",
        currency: currency(currencyText),
        balance: integer("net", net),
        time: time(timeText),
      };
    }
    if (type === "") throw new Malformed("type is missing");
    if (!isLineType(type))
      throw new Malformed(`type "${type}" is not one of ${LINE_TYPES.join(", ")}, closing_balance`);
    return { kind: "movement", line: movement(type, fields) };
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    return { kind: "malformed", problem: err.message, pspReference, ourReference, type };
  }
}
