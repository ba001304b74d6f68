import type { DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type CallOptions } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { Identity } from "../../services/lib/tls/identity.js";
import type { TlsMaterial } from "../../services/lib/tls/tls-material.js";
import { serviceClient, type SERVICES, type ServiceClient, type ServiceName } from "../support/clients.js";

/** What a caller retries: the server is down or died mid-call, or says it failed and the request may be retried. */
const RETRYABLE = new Set<Code>([Code.Unavailable, Code.DeadlineExceeded, Code.Internal]);
/** INTERNAL is a server bug more often than a passing fault: a caller tries a few times, then reports it. */
const INTERNAL_ATTEMPTS = 5;

/** One attempt of a call, as the client saw it: `code` is "OK" or the gRPC status name (e.g. "UNAVAILABLE"). */
export interface Attempt {
  method: string;
  startedAt: number;
  endedAt: number;
  code: string;
}

export interface RetryOptions {
  /** After this long from the first attempt, the last failure is the call's answer; default 20 s. */
  giveUpAfterMs?: number;
  /** Each attempt's deadline (DEADLINE_EXCEEDED, retried); by default support/clients.ts's for every call. */
  attemptDeadlineMs?: number;
  /** Told of every attempt, failed or not. */
  onAttempt?: (attempt: Attempt) => void;
  /** Source of the backoff jitter, in [0, 1); default Math.random. */
  random?: () => number;
}

/**
 * The code of a failed attempt as the caller takes it. connect-node reports a call whose connection closed under it
 * (the server killed mid-call) as Canceled, from the HTTP/2 stream's CANCEL; this client never cancels a call, so
 * that is the connection failing: Unavailable, as grpc-js reports it.
 */
function failureCode(err: unknown): Code {
  const { code } = ConnectError.from(err);
  return code === Code.Canceled ? Code.Unavailable : code;
}

/** A code by its gRPC status name, as the totals and the load's timeline print it: "DEADLINE_EXCEEDED". */
export const codeName = (code: Code): string => codeToString(code).toUpperCase();

type Methods<S extends ServiceName> = (typeof SERVICES)[S]["method"];
/** The unary methods of the service, by their names on its typed client (e.g. "createPayment"). */
type UnaryMethod<S extends ServiceName> = {
  [M in keyof Methods<S>]: Methods<S>[M] extends DescMethodUnary ? M : never;
}[keyof Methods<S>] &
  string;
type RequestOf<S extends ServiceName, M extends UnaryMethod<S>> =
  Methods<S>[M] extends DescMethodUnary<infer I, infer _O> ? MessageInitShape<I> : never;
type ResponseOf<S extends ServiceName, M extends UnaryMethod<S>> =
  Methods<S>[M] extends DescMethodUnary<infer _I, infer O> ? MessageShape<O> : never;

/**
 * A client as a real caller writes it for our idempotent RPCs (CreatePayment on checkout_id, RefundPayment on
 * refund_id, RequestPayout on payout_id): on a connection error, UNAVAILABLE or DEADLINE_EXCEEDED (INTERNAL a few
 * times only) it sends the same request again, to the next instance as behind a load balancer, with backoff, until
 * it has an answer or gives up. One typed client per instance: a connection that dropped is opened again on the
 * next call, with no reconnect backoff to wait out.
 */
export class RetryingClient<S extends ServiceName> {
  private readonly clients = new Map<string, ServiceClient<S>>();
  private targets: string[] = [];
  /** Calls that failed and were sent again. */
  retries = 0;
  /** The same, by the status name of the failure. */
  readonly retriesByCode: Record<string, number> = {};

  constructor(
    private readonly service: S,
    /** Who calls: an identity of the test PKI, or any certificate. */
    private readonly as: Identity | TlsMaterial,
    private readonly options: RetryOptions = {},
  ) {}

  /** The gRPC URLs of the instances to spread calls over. */
  routeTo(urls: string[]): void {
    this.targets = urls;
  }

  /** `preferred` picks the instance of the first attempt, so that callers spread over the instances. */
  async call<M extends UnaryMethod<S>>(method: M, request: RequestOf<S, M>, preferred = 0): Promise<ResponseOf<S, M>> {
    const giveUpAt = Date.now() + (this.options.giveUpAfterMs ?? 20_000);
    const timeoutMs = this.options.attemptDeadlineMs;
    let internals = 0;
    for (let attempt = 0; ; attempt++) {
      const url = this.targets[(preferred + attempt) % this.targets.length]!;
      const startedAt = Date.now();
      try {
        // TypeScript does not narrow the client's member by a generic key to the unary method it is.
        const send = this.client(url)[method] as unknown as (
          request: RequestOf<S, M>,
          options: CallOptions,
        ) => Promise<ResponseOf<S, M>>;
        const answer = await send(request, timeoutMs === undefined ? {} : { timeoutMs });
        this.options.onAttempt?.({ method, startedAt, endedAt: Date.now(), code: "OK" });
        return answer;
      } catch (err) {
        const code = failureCode(err);
        this.options.onAttempt?.({ method, startedAt, endedAt: Date.now(), code: codeName(code) });
        if (code === Code.Internal) internals++;
        if (!RETRYABLE.has(code) || internals >= INTERNAL_ATTEMPTS || Date.now() > giveUpAt) throw err;
        this.retries++;
        this.retriesByCode[codeName(code)] = (this.retriesByCode[codeName(code)] ?? 0) + 1;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt) * (0.5 + (this.options.random ?? Math.random)())),
        );
      }
    }
  }

  private client(url: string): ServiceClient<S> {
    let client = this.clients.get(url);
    if (!client) this.clients.set(url, (client = serviceClient(this.service, url, this.as)));
    return client;
  }
}
