import { Code, ConnectError } from "@connectrpc/connect";
import { unavailable } from "./errors.js";
import { retry } from "./retry.js";

const TRANSIENT = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted]);

/**
 * Calls another of our services, retrying transient failures with backoff. When they persist, the caller's caller
 * is told UNAVAILABLE (retry later). Any other failure is ours, not the caller's, whatever status code the other
 * service used: it becomes an internal error.
 */
export function callWithRetry<T>(call: () => Promise<T>, serviceName: string): Promise<T> {
  return retry(call, (err) => TRANSIENT.has(ConnectError.from(err).code)).catch((err: unknown) => {
    const error = ConnectError.from(err);
    if (TRANSIENT.has(error.code))
      throw unavailable(`the ${serviceName} service is not answering (${error.rawMessage}); retry later`);
    throw new Error(`the ${serviceName} service failed: ${error.message}`);
  });
}
