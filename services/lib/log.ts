import { AsyncLocalStorage } from "node:async_hooks";
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";

export type LogFields = Record<string, unknown>;

/**
 * One JSON object per line on stderr (pino), so that several services' logs interleave readably:
 * `{"level":"info","time":"<ISO 8601>","service":"payment","pid":1234,...fields,"msg":"..."}`. bigint fields are
 * written as strings. A line about a payment carries `paymentId` (and `eventId`, `refundId`, ... as it applies).
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that puts `bindings` (e.g. `{ paymentId }`) on each of its lines. */
  child(bindings: LogFields): Logger;
}

const LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
type Level = (typeof LEVELS)[number];

/** LOG_LEVEL: debug, info (the default, also for anything unknown), warn, error or silent. */
function levelFromEnv(): Level {
  const wanted = process.env.LOG_LEVEL ?? "info";
  return (LEVELS as readonly string[]).includes(wanted) ? (wanted as Level) : "info";
}

/**
 * Fields whose values never reach a log line, whoever passes them: a second line of defence behind the call sites,
 * which log ids and outcomes, never request bodies, webhook payloads, card data or credentials.
 */
const SENSITIVE_KEYS = [
  // Card data, as the hosted page's form and our scripts name it.
  "card",
  "cardNumber",
  "card_number",
  "cvc",
  "exp",
  // Credentials and secrets.
  "authorization",
  "apiKey",
  "api_key",
  "secret",
  "webhookSecret",
  // Webhook signatures (a valid one can be replayed within the tolerance).
  "signature",
  "pspSignature",
  '["psp-signature"]',
];
/** Each key at the top of a line's fields and one level down (e.g. `headers.authorization`, `card.cvc`). */
export const REDACTED_PATHS = SENSITIVE_KEYS.flatMap((key) => [key, key.startsWith("[") ? `*${key}` : `*.${key}`]);
export const REDACTED = "[redacted]";

/** bigint as a string, in plain objects and arrays at any depth; anything else as it is. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const out: LogFields = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
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

// Synchronous writes: a line written just before a crash (or a failpoint's kill -9) is not lost in a buffer.
let stderr: DestinationStream | undefined;
let destination: DestinationStream | undefined;

function sharedStderr(): DestinationStream {
  stderr ??= pino.destination({ dest: 2, sync: true });
  return stderr;
}

/**
 * Where loggers created from now on write, instead of stderr (undefined: back to stderr). Tests capture the lines
 * of in-process services this way.
 */
export function setLogDestination(to: DestinationStream | undefined): void {
  destination = to;
}

function wrap(logger: PinoLogger): Logger {
  return {
    debug: (msg, fields) => logger.debug(fields ?? {}, msg),
    info: (msg, fields) => logger.info(fields ?? {}, msg),
    warn: (msg, fields) => logger.warn(fields ?? {}, msg),
    error: (msg, fields) => logger.error(fields ?? {}, msg),
    child: (bindings) => wrap(logger.child(jsonSafe(bindings) as LogFields)),
  };
}

/** A logger for `service`, at LOG_LEVEL, on stderr (or the destination set with setLogDestination). */
export function createLogger(service: string): Logger {
  return wrap(
    pino(
      {
        level: levelFromEnv(),
        base: { service, pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: {
          level: (label) => ({ level: label }),
          log: (fields) => jsonSafe(fields) as LogFields,
        },
        // A copy: pino merges the call's fields into what the mixin returns.
        mixin: () => ({ ...scope.getStore() }),
        redact: { paths: REDACTED_PATHS, censor: REDACTED },
      },
      destination ?? sharedStderr(),
    ),
  );
}
