import { embedOriginsProblem } from "../services/lib/embed-origins.js";
import { isSupportedCurrency, SUPPORTED_CURRENCIES } from "./currencies.js";
import type { BalanceBreak } from "./balance-breaks.js";
import { ANY, DISCREPANCY_KINDS, MALFORMATIONS, type Discrepancy } from "./discrepancies.js";
import { DISPUTE_REASONS, type NewDispute } from "./disputes.js";
import { ApiError, invalidParam } from "./errors.js";
import { NO_FAULTS, type FaultConfig, type LatencyMs } from "./faults.js";
import { CANCEL_REASONS, type NewPayment } from "./payments.js";
import type { NewPayout } from "./payouts.js";
import { REFUND_REASONS, type NewRefund } from "./refunds.js";
import { isSettlementDate } from "./settlement-calendar.js";

export type JsonObject = Record<string, unknown>;

const MAX_STRING_LENGTH = 255;
// Stripe's metadata limits.
const MAX_METADATA_KEYS = 50;
const MAX_METADATA_KEY_LENGTH = 40;
const MAX_METADATA_VALUE_LENGTH = 500;
// setTimeout fires at once for anything longer.
const MAX_DELAY_MS = 2 ** 31 - 1;
const MAX_CLOCK_ADVANCE_SECONDS = 10 * 366 * 24 * 3600;
const MAX_DISCREPANCIES = 100;
const DEFAULT_UNKNOWN_LINE_AMOUNT = 1000;

/** Parses a JSON request body; an empty body counts as `{}`. */
export function parseJsonBody(raw: string): JsonObject {
  if (raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, "invalid_request_error", "Invalid JSON in request body.", "invalid_json");
  }
  if (!isObject(parsed)) {
    throw new ApiError(400, "invalid_request_error", "The request body must be a JSON object.", "invalid_json");
  }
  return parsed;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Unknown fields are rejected, like Stripe does, so that a misspelt field cannot go unnoticed. */
function rejectUnknown(body: JsonObject, allowed: readonly string[], parent?: string): void {
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown === undefined) return;
  const param = parent === undefined ? unknown : `${parent}[${unknown}]`;
  throw invalidParam(param, `Received unknown parameter: ${param}`, "parameter_unknown");
}

function missing(param: string): ApiError {
  return invalidParam(param, `Missing required param: ${param}.`, "parameter_missing");
}

function requiredString(body: JsonObject, param: string): string {
  const value = body[param];
  if (value === undefined || value === null || value === "") throw missing(param);
  if (typeof value !== "string") throw invalidParam(param, `Invalid ${param}: must be a string.`);
  return value;
}

/** Optional fields may be omitted or null. */
function optionalString(body: JsonObject, param: string): string | null {
  return body[param] === undefined || body[param] === null ? null : requiredString(body, param);
}

function amount(body: JsonObject, param = "amount"): number {
  const value = body[param];
  if (value === undefined || value === null) throw missing(param);
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidParam(param, `Invalid ${param}: must be a positive integer number of minor currency units.`);
  }
  return value;
}

function optionalAmount(body: JsonObject, param = "amount"): number | null {
  return body[param] === undefined || body[param] === null ? null : amount(body, param);
}

function currency(body: JsonObject): string {
  const code = requiredString(body, "currency").toUpperCase();
  if (!isSupportedCurrency(code)) {
    throw invalidParam(
      "currency",
      `Invalid currency: ${code} is not supported; use one of ${SUPPORTED_CURRENCIES.join(", ")}.`,
    );
  }
  return code;
}

function optionalCurrency(body: JsonObject): string | null {
  return body.currency === undefined || body.currency === null ? null : currency(body);
}

/** A required string of at most 255 characters, such as a reference. */
function shortString(body: JsonObject, param: string): string {
  const value = requiredString(body, param);
  if (value.length > MAX_STRING_LENGTH) {
    throw invalidParam(param, `Invalid ${param}: must be at most ${MAX_STRING_LENGTH} characters.`);
  }
  return value;
}

function oneOf<T extends string>(body: JsonObject, param: string, values: readonly T[]): T {
  const value = requiredString(body, param);
  if (!(values as readonly string[]).includes(value)) {
    throw invalidParam(param, `Invalid ${param}: must be one of ${values.join(", ")}.`);
  }
  return value as T;
}

function optionalOneOf<T extends string>(body: JsonObject, param: string, values: readonly T[]): T | null {
  return body[param] === undefined || body[param] === null ? null : oneOf(body, param, values);
}

function metadata(body: JsonObject): Record<string, string> {
  const value = body.metadata;
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidParam("metadata", "Invalid metadata: must be an object of string values.");
  const entries = Object.entries(value);
  if (entries.length > MAX_METADATA_KEYS) {
    throw invalidParam("metadata", `Invalid metadata: at most ${MAX_METADATA_KEYS} keys are allowed.`);
  }
  for (const [key, v] of entries) {
    const param = `metadata[${key}]`;
    if (key.length > MAX_METADATA_KEY_LENGTH) {
      throw invalidParam(param, `Invalid metadata key: must be at most ${MAX_METADATA_KEY_LENGTH} characters.`);
    }
    if (typeof v !== "string" || v.length > MAX_METADATA_VALUE_LENGTH) {
      throw invalidParam(
        param,
        `Invalid metadata value: must be a string of at most ${MAX_METADATA_VALUE_LENGTH} characters.`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function returnUrl(body: JsonObject): string | null {
  const value = optionalString(body, "return_url");
  if (value === null) return null;
  // Only http(s): the URL ends up as a link on the hosted page, where `javascript:` would be an XSS.
  if (!URL.canParse(value) || !["http:", "https:"].includes(new URL(value).protocol)) {
    throw invalidParam("return_url", "Invalid return_url: must be an absolute http(s) URL.");
  }
  return value;
}

/** The origins whose pages may frame the hosted page (see embed.ts); each becomes a CSP frame-ancestors source. */
function embedOrigins(body: JsonObject): string[] {
  const value = body.embed_origins;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParam("embed_origins", "Invalid embed_origins: must be a list of origins.");
  const problem = embedOriginsProblem(value);
  if (problem) {
    const param = problem.index === null ? "embed_origins" : `embed_origins[${problem.index}]`;
    throw invalidParam(param, `Invalid ${param}: ${problem.message}.`);
  }
  return value as string[];
}

export function newPaymentInput(body: JsonObject): NewPayment {
  rejectUnknown(body, [
    "amount",
    "currency",
    "capture_method",
    "reference",
    "description",
    "metadata",
    "return_url",
    "embed_origins",
  ]);
  return {
    amount: amount(body),
    currency: currency(body),
    captureMethod: optionalOneOf(body, "capture_method", ["automatic", "manual"]) ?? "automatic",
    reference: shortString(body, "reference"),
    description: optionalString(body, "description"),
    metadata: metadata(body),
    returnUrl: returnUrl(body),
    embedOrigins: embedOrigins(body),
  };
}

export function captureInput(body: JsonObject): { amountToCapture: number | null } {
  rejectUnknown(body, ["amount_to_capture"]);
  return { amountToCapture: optionalAmount(body, "amount_to_capture") };
}

export function cancelInput(body: JsonObject): { reason: (typeof CANCEL_REASONS)[number] } {
  rejectUnknown(body, ["cancellation_reason"]);
  return { reason: optionalOneOf(body, "cancellation_reason", CANCEL_REASONS) ?? "requested_by_customer" };
}

export function newRefundInput(body: JsonObject): NewRefund & { paymentId: string } {
  rejectUnknown(body, ["payment", "amount", "currency", "reason", "metadata"]);
  return {
    paymentId: requiredString(body, "payment"),
    amount: optionalAmount(body),
    currency: optionalCurrency(body),
    reason: optionalOneOf(body, "reason", REFUND_REASONS),
    metadata: metadata(body),
  };
}

export function newPayoutInput(body: JsonObject): NewPayout {
  rejectUnknown(body, ["amount", "currency", "destination", "reference", "description", "metadata"]);
  return {
    amount: amount(body),
    currency: currency(body),
    destination: shortString(body, "destination"),
    reference: shortString(body, "reference"),
    description: optionalString(body, "description"),
    metadata: metadata(body),
  };
}

export function newDisputeInput(body: JsonObject): NewDispute {
  rejectUnknown(body, ["amount", "reason"]);
  return { amount: optionalAmount(body), reason: optionalOneOf(body, "reason", DISPUTE_REASONS) };
}

export function reviewInput(body: JsonObject): { approve: boolean } {
  rejectUnknown(body, ["outcome"]);
  return { approve: oneOf(body, "outcome", ["approve", "reject"]) === "approve" };
}

export function disputeCloseInput(body: JsonObject): { won: boolean } {
  rejectUnknown(body, ["outcome"]);
  return { won: oneOf(body, "outcome", ["won", "lost"]) === "won" };
}

/** Whole seconds, up to ten years at a time. */
export function clockAdvanceInput(body: JsonObject): { seconds: number } {
  rejectUnknown(body, ["seconds"]);
  const value = body.seconds;
  if (value === undefined || value === null) throw missing("seconds");
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > MAX_CLOCK_ADVANCE_SECONDS) {
    throw invalidParam("seconds", `Invalid seconds: must be an integer from 1 to ${MAX_CLOCK_ADVANCE_SECONDS}.`);
  }
  return { seconds: value };
}

function rate(body: JsonObject, param: string): number {
  const value = body[param];
  if (value === undefined) return 0;
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw invalidParam(param, `Invalid ${param}: must be a number between 0 and 1.`);
  }
  return value;
}

function milliseconds(param: string, value: unknown, min = 0): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > MAX_DELAY_MS) {
    throw invalidParam(
      param,
      `Invalid ${param}: must be an integer number of milliseconds from ${min} to ${MAX_DELAY_MS}.`,
    );
  }
  return value;
}

function delay(body: JsonObject, param: string): number {
  return body[param] === undefined ? 0 : milliseconds(param, body[param]);
}

/** An integer, or `{min, max}` with both required. */
function latency(body: JsonObject): LatencyMs {
  const value = body.latency_ms;
  if (!isObject(value)) return delay(body, "latency_ms");
  rejectUnknown(value, ["min", "max"], "latency_ms");
  const bound = (key: "min" | "max", least: number) => {
    const param = `latency_ms[${key}]`;
    if (value[key] === undefined) throw missing(param);
    return milliseconds(param, value[key], least);
  };
  const min = bound("min", 0);
  return { min, max: bound("max", min) };
}

/** The body replaces the whole fault configuration: an omitted field is off. */
export function faultInput(body: JsonObject): FaultConfig {
  rejectUnknown(body, Object.keys(NO_FAULTS));
  return {
    fail_before_commit_rate: rate(body, "fail_before_commit_rate"),
    fail_after_commit_rate: rate(body, "fail_after_commit_rate"),
    latency_ms: latency(body),
    error_rate: rate(body, "error_rate"),
    webhook_drop_rate: rate(body, "webhook_drop_rate"),
    webhook_duplicate_rate: rate(body, "webhook_duplicate_rate"),
    webhook_reorder_ms: delay(body, "webhook_reorder_ms"),
  };
}

function settlementDate(body: JsonObject): string | null {
  const date = optionalString(body, "date");
  if (date !== null && !isSettlementDate(date))
    throw invalidParam("date", "Invalid date: must be a date written YYYY-MM-DD.");
  return date;
}

export function settlementRunInput(body: JsonObject): { date: string | null } {
  rejectUnknown(body, ["date"]);
  return { date: settlementDate(body) };
}

/** Errors about a field of an element of a list name it in full, e.g. `discrepancies[2][delta]`. */
function inElement<T>(parent: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ApiError) || error.param === null) throw error;
    const bracketed = error.param.replace(/^([^[]+)/, "[$1]");
    throw new ApiError(error.status, error.type, error.message, error.code, `${parent}${bracketed}`);
  }
}

function nonZeroInteger(body: JsonObject, param: string): number {
  const value = body[param];
  if (value === undefined || value === null) throw missing(param);
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value === 0) {
    throw invalidParam(param, `Invalid ${param}: must be a non-zero integer number of minor currency units.`);
  }
  return value;
}

export function balanceBreakInput(body: JsonObject): BalanceBreak {
  rejectUnknown(body, ["date", "currency", "delta"]);
  const date = settlementDate(body);
  if (date === null) throw missing("date");
  return { date, currency: currency(body), delta: nonZeroInteger(body, "delta") };
}

/** The fields each kind takes besides `kind` and `target`. */
const DISCREPANCY_FIELDS: Record<Discrepancy["kind"], readonly string[]> = {
  drop_line: [],
  duplicate_line: [],
  amount_mismatch: ["delta"],
  currency_mismatch: ["currency"],
  malformed_line: ["form"],
  unknown_line: ["amount"],
};

function discrepancy(body: JsonObject): Discrepancy {
  const kind = oneOf(body, "kind", DISCREPANCY_KINDS);
  rejectUnknown(body, ["kind", "target", ...DISCREPANCY_FIELDS[kind]]);
  const target = body.target === undefined || body.target === null ? ANY : shortString(body, "target");
  switch (kind) {
    case "drop_line":
    case "duplicate_line":
      return { kind, target };
    case "amount_mismatch":
      return { kind, target, delta: nonZeroInteger(body, "delta") };
    case "currency_mismatch":
      return { kind, target, currency: optionalCurrency(body) };
    case "malformed_line":
      return { kind, target, form: optionalOneOf(body, "form", MALFORMATIONS) ?? "missing_column" };
    case "unknown_line":
      return { kind, target, amount: optionalAmount(body) ?? DEFAULT_UNKNOWN_LINE_AMOUNT };
  }
}

export function discrepanciesInput(body: JsonObject): Discrepancy[] {
  rejectUnknown(body, ["discrepancies"]);
  const list = body.discrepancies;
  if (list === undefined || list === null) throw missing("discrepancies");
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_DISCREPANCIES) {
    throw invalidParam("discrepancies", `Invalid discrepancies: must be a list of 1 to ${MAX_DISCREPANCIES} objects.`);
  }
  return list.map((element: unknown, i) => {
    const param = `discrepancies[${i}]`;
    if (!isObject(element)) throw invalidParam(param, `Invalid ${param}: must be an object.`);
    return inElement(param, () => discrepancy(element));
  });
}
