import type { Identity } from "../../services/lib/tls/identity.js";
import type { TlsMaterial } from "../../services/lib/tls/tls-material.js";
import { grpc, grpcJsClient, unary, type GrpcJsClient } from "../support/grpc-js.js";

/** A service of ours as grpc-js loads it. */
export interface GrpcService {
  protoFile: string;
  serviceName: string;
}

export const PAYMENT_SERVICE: GrpcService = {
  protoFile: "payment/v1/payment.proto",
  serviceName: "payment.v1.PaymentService",
};
export const WALLET_SERVICE: GrpcService = {
  protoFile: "wallet/v1/wallet.proto",
  serviceName: "wallet.v1.WalletService",
};
export const LEDGER_SERVICE: GrpcService = {
  protoFile: "ledger/v1/ledger.proto",
  serviceName: "ledger.v1.LedgerService",
};

/** What a caller retries: the server is down or died mid-call, or says it failed and the request may be retried. */
const RETRYABLE = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL]);
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
  /** Each attempt's deadline (DEADLINE_EXCEEDED, retried); none by default. */
  attemptDeadlineMs?: number;
  /** Told of every attempt, failed or not. */
  onAttempt?: (attempt: Attempt) => void;
  /** Source of the backoff jitter, in [0, 1); default Math.random. */
  random?: () => number;
}

export const codeName = (code: number): string => grpc.status[code] ?? `code ${code}`;

/**
 * A client as a real caller writes it for our idempotent RPCs (CreatePayment on checkout_id, RefundPayment on
 * refund_id, RequestPayout on payout_id): on a connection error, UNAVAILABLE or DEADLINE_EXCEEDED (INTERNAL a few
 * times only) it sends the same request again, to the next instance as behind a load balancer, with backoff, until
 * it has an answer or gives up.
 */
export class RetryingClient {
  private readonly clients = new Map<string, GrpcJsClient>();
  /** Replaced channels, closed at the end only: closing one could cancel another caller's call on it. */
  private readonly retired: GrpcJsClient[] = [];
  private targets: string[] = [];
  /** Calls that failed and were sent again. */
  retries = 0;
  /** The same, by the status name of the failure. */
  readonly retriesByCode: Record<string, number> = {};

  constructor(
    private readonly service: GrpcService,
    private readonly identity: Identity | TlsMaterial,
    private readonly options: RetryOptions = {},
  ) {}

  /** The gRPC URLs of the instances to spread calls over. */
  routeTo(urls: string[]): void {
    this.targets = urls;
  }

  /** `preferred` picks the instance of the first attempt, so that callers spread over the instances. */
  async call<T = any>(method: string, request: object, preferred = 0): Promise<T> {
    const giveUpAt = Date.now() + (this.options.giveUpAfterMs ?? 20_000);
    const deadlineMs = this.options.attemptDeadlineMs;
    let internals = 0;
    for (let attempt = 0; ; attempt++) {
      const url = this.targets[(preferred + attempt) % this.targets.length]!;
      const startedAt = Date.now();
      try {
        const answer = await unary<T>(
          this.client(url),
          method,
          request,
          new grpc.Metadata(),
          deadlineMs === undefined ? {} : { deadline: startedAt + deadlineMs },
        );
        this.options.onAttempt?.({ method, startedAt, endedAt: Date.now(), code: "OK" });
        return answer;
      } catch (err) {
        const { code } = err as grpc.ServiceError;
        this.options.onAttempt?.({ method, startedAt, endedAt: Date.now(), code: codeName(code) });
        if (code === grpc.status.INTERNAL) internals++;
        if (!RETRYABLE.has(code) || internals >= INTERNAL_ATTEMPTS || Date.now() > giveUpAt) throw err;
        this.retries++;
        this.retriesByCode[codeName(code)] = (this.retriesByCode[codeName(code)] ?? 0) + 1;
        // A fresh channel next time: grpc-js would otherwise wait out its reconnect backoff after a dead server.
        this.retire(url);
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt) * (0.5 + (this.options.random ?? Math.random)())),
        );
      }
    }
  }

  close(): void {
    for (const url of [...this.clients.keys()]) this.retire(url);
    for (const client of this.retired.splice(0)) client.close();
  }

  private client(url: string): GrpcJsClient {
    let client = this.clients.get(url);
    if (!client)
      this.clients.set(
        url,
        (client = grpcJsClient(this.service.protoFile, this.service.serviceName, url, this.identity)),
      );
    return client;
  }

  private retire(url: string): void {
    const client = this.clients.get(url);
    if (client) this.retired.push(client);
    this.clients.delete(url);
  }
}
