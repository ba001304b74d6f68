import { grpc, grpcJsClient, unary, type GrpcJsClient } from "../support/grpc-js.js";

/** What a caller retries: the server is down or died mid-call, or says it failed and the request may be retried. */
const RETRYABLE = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL]);
const GIVE_UP_AFTER_MS = 20_000;
/** INTERNAL is a server bug more often than a passing fault: a caller tries a few times, then reports it. */
const INTERNAL_ATTEMPTS = 5;

/**
 * A checkout client as a real caller writes it: CreatePayment is idempotent on checkout_id, so on a connection
 * error or UNAVAILABLE (INTERNAL a few times only) it sends the same request again, to the next instance as behind
 * a load balancer, with backoff, until it has an answer or gives up.
 */
export class RetryingPaymentClient {
  private readonly clients = new Map<string, GrpcJsClient>();
  /** Replaced channels, closed at the end only: closing one could cancel another caller's call on it. */
  private readonly retired: GrpcJsClient[] = [];
  private targets: string[] = [];
  /** Calls that failed and were sent again. */
  retries = 0;

  /** The gRPC URLs of the payment instances to spread calls over. */
  routeTo(urls: string[]): void {
    this.targets = urls;
  }

  /** `preferred` picks the instance of the first attempt, so that callers spread over the instances. */
  async createPayment(request: object, preferred: number): Promise<any> {
    const giveUpAt = Date.now() + GIVE_UP_AFTER_MS;
    let internals = 0;
    for (let attempt = 0; ; attempt++) {
      const url = this.targets[(preferred + attempt) % this.targets.length]!;
      try {
        return (await unary(this.client(url), "createPayment", request)).payment;
      } catch (err) {
        const { code } = err as grpc.ServiceError;
        if (code === grpc.status.INTERNAL) internals++;
        if (!RETRYABLE.has(code) || internals >= INTERNAL_ATTEMPTS || Date.now() > giveUpAt) throw err;
        this.retries++;
        // A fresh channel next time: grpc-js would otherwise wait out its reconnect backoff after a dead server.
        this.retire(url);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt) * (0.5 + Math.random())));
      }
    }
  }

  close(): void {
    for (const url of [...this.clients.keys()]) this.retire(url);
    for (const client of this.retired.splice(0)) client.close();
  }

  private client(url: string): GrpcJsClient {
    let client = this.clients.get(url);
    if (!client) this.clients.set(url, (client = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", url, "marketplace")));
    return client;
  }

  private retire(url: string): void {
    const client = this.clients.get(url);
    if (client) this.retired.push(client);
    this.clients.delete(url);
  }
}
