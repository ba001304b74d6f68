import { AsyncLocalStorage } from "node:async_hooks";

export type LogFields = Record<string, unknown>;

/** One JSON object per line on stderr, so that several services' logs interleave readably. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const LEVELS = ["info", "warn", "error", "silent"] as const;
type Level = (typeof LEVELS)[number];

function threshold(): number {
  const wanted = (process.env.LOG_LEVEL ?? "info") as Level;
  return LEVELS.includes(wanted) ? LEVELS.indexOf(wanted) : 0;
}

const scope = new AsyncLocalStorage<LogFields>();

/**
 * Runs `fn` with `fields` (and those of the scope it runs in) on every line any logger writes while it runs: e.g. the
 * event id of a webhook, on the lines of the code that applies it.
 */
export function withLogFields<T>(fields: LogFields, fn: () => T): T {
  return scope.run({ ...scope.getStore(), ...fields }, fn);
}

/**
 * Adds `fields` to the current withLogFields scope from now on, once they are known (e.g. the payment a refund
 * belongs to, found while applying its webhook). Outside a scope it does nothing.
 */
export function addLogFields(fields: LogFields): void {
  const current = scope.getStore();
  if (current) Object.assign(current, fields);
}

const ID_FIELDS = ["paymentId", "refundId", "disputeId", "payoutId", "eventId", "checkoutId"] as const;

/** The ids an object (e.g. a gRPC request) names, for a log line about it. */
export function idFields(message: unknown): LogFields {
  const fields: LogFields = {};
  if (message === null || typeof message !== "object") return fields;
  for (const key of ID_FIELDS) {
    const value = (message as LogFields)[key];
    if (typeof value === "string" && value !== "") fields[key] = value;
  }
  return fields;
}

let destination: { write(line: string): void } | undefined;

/** Where loggers write from now on, instead of stderr (undefined: back to stderr). Tests capture lines this way. */
export function setLogDestination(to: { write(line: string): void } | undefined): void {
  destination = to;
}

export function createLogger(service: string): Logger {
  const write = (level: Level, msg: string, fields?: LogFields) => {
    if (LEVELS.indexOf(level) < threshold()) return;
    const line = { time: new Date().toISOString(), level, service, msg, ...scope.getStore(), ...fields };
    (destination ?? process.stderr).write(JSON.stringify(line, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) + "\n");
  };
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}
