import { AsyncLocalStorage } from "node:async_hooks";
import { Counter, type Registry } from "prom-client";

/**
 * What this process sends PostgreSQL, counted on the client side: every statement the driver sends is one round
 * trip (BEGIN and COMMIT included), and every transaction is counted once, explicit (BEGIN ... COMMIT) or autocommit
 * (a statement sent outside one). Counted per schema and per kind of work (`countDbWorkAs`), for all pools of the
 * process: the connection's own setup (search_path, version) is not counted.
 */
interface Traffic {
  statements: number;
  transactions: number;
}

const trafficByKey = new Map<string, Traffic>();
const workOf = new AsyncLocalStorage<string>();

/** The work `start` does on the database, now and in what it schedules (a relay's loop), is counted as `work`'s. */
export function countDbWorkAs<T>(work: string, start: () => T): T {
  return workOf.run(work, start);
}

interface QueryingConnection {
  query: (...args: never[]) => unknown;
}

const BEGIN = /^\s*begin\b/i;
const END = /^\s*(commit|rollback)\s*;?\s*$/i;

/** Wraps a new pg connection's `query` so that what it sends is counted under `schema`. */
export function countTraffic(connection: QueryingConnection, schema: string): void {
  const query = connection.query.bind(connection);
  let inTransaction = false;
  connection.query = (...args: never[]) => {
    const config = args[0] as unknown;
    const text = typeof config === "string" ? config : ((config as { text?: string } | undefined)?.text ?? "");
    const work = workOf.getStore() ?? "calls";
    const key = `${schema}\u0000${work}`;
    const traffic = trafficByKey.get(key) ?? { statements: 0, transactions: 0 };
    trafficByKey.set(key, traffic);
    traffic.statements++;
    if (BEGIN.test(text)) {
      inTransaction = true;
      traffic.transactions++;
    } else if (END.test(text)) inTransaction = false;
    else if (!inTransaction) traffic.transactions++;
    return query(...args);
  };
}

/** db_statements_total and db_transactions_total{schema, work}: this process's database traffic so far. */
export function registerDbTrafficMetrics(registry: Registry): void {
  const series = (name: string, help: string, of: (t: Traffic) => number) =>
    new Counter({
      name,
      help,
      labelNames: ["schema", "work"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, traffic] of trafficByKey) {
          const [schema = "", work = ""] = key.split("\u0000");
          this.inc({ schema, work }, of(traffic));
        }
      },
    });
  series(
    "db_statements_total",
    "Statements sent to PostgreSQL (round trips), BEGIN and COMMIT included.",
    (t) => t.statements,
  );
  series("db_transactions_total", "PostgreSQL transactions begun, explicit or autocommit.", (t) => t.transactions);
}
