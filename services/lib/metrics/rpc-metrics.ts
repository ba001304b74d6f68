import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { Counter, Histogram, type Registry } from "prom-client";

/** From 1 ms to 5 s: our calls take milliseconds, the PSP's retries seconds. */
const DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The code's name as Connect spells it: "ok", "invalid_argument", "canceled", ... */
export function codeName(code: Code | undefined): string {
  return code === undefined ? "ok" : Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/** Calls `done` with the stream's final code once it ends, fails or is abandoned by the caller. */
async function* endOf<T>(messages: AsyncIterable<T>, done: (code: string) => void): AsyncIterable<T> {
  let code = codeName(Code.Canceled);
  try {
    yield* messages;
    code = codeName(undefined);
  } catch (err) {
    code = codeName(ConnectError.from(err).code);
    throw err;
  } finally {
    done(code);
  }
}

/**
 * rpc_requests_total and rpc_duration_seconds by method ("payment.v1.PaymentService/CreatePayment") and code. It
 * must come before the domain-error mapping in the interceptor chain, so that it sees the codes callers get.
 * A server-streaming call is counted when its stream ends.
 */
export function rpcMetrics(registry: Registry): Interceptor {
  const labelNames = ["method", "code"] as const;
  const requests = new Counter({
    name: "rpc_requests_total",
    help: "RPCs handled, by method and gRPC code.",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "rpc_duration_seconds",
    help: "Time from an RPC's arrival to its answer (to its end for a stream), by method and gRPC code.",
    labelNames,
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });
  return (next) => async (req) => {
    const method = `${req.service.typeName}/${req.method.name}`;
    const stopTimer = duration.startTimer({ method });
    const done = (code: string) => {
      requests.inc({ method, code });
      stopTimer({ code });
    };
    try {
      const res = await next(req);
      if (res.stream) return { ...res, message: endOf(res.message, done) };
      done(codeName(undefined));
      return res;
    } catch (err) {
      done(codeName(ConnectError.from(err).code));
      throw err;
    }
  };
}
