/** One JSON object per line on stderr, so that several services' logs interleave readably. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const LEVELS = ["info", "warn", "error", "silent"] as const;
type Level = (typeof LEVELS)[number];

function threshold(): number {
  const wanted = (process.env.LOG_LEVEL ?? "info") as Level;
  return LEVELS.includes(wanted) ? LEVELS.indexOf(wanted) : 0;
}

export function createLogger(service: string): Logger {
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(level) < threshold()) return;
    const line = { time: new Date().toISOString(), level, service, msg, ...fields };
    process.stderr.write(JSON.stringify(line, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) + "\n");
  };
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}
