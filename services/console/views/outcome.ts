import { Code, type ConnectError } from "@connectrpc/connect";

/** A call's answer, or its failure. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ConnectError };

/** What a person reads when a call failed. */
export function describeFailure(service: string, error: ConnectError): string {
  switch (error.code) {
    case Code.Unimplemented:
      return `The ${service} does not offer this yet (UNIMPLEMENTED).`;
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return `The ${service} did not answer (${Code[error.code]}): ${error.rawMessage}`;
    case Code.NotFound:
      return `Not found: ${error.rawMessage}`;
    case Code.InvalidArgument:
      return `Refused: ${error.rawMessage}`;
    default:
      return `The ${service} answered ${Code[error.code]}: ${error.rawMessage}`;
  }
}
