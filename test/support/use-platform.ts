import { afterAll, beforeAll } from "vitest";
import type { Identity } from "../../services/lib/tls/identity.js";
import { serviceClient, type ServiceClient, type ServiceName } from "./clients.js";
import { grpcJsClient, type GrpcJsClient } from "./grpc-js.js";
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from "./platform.js";

export interface PlatformUnderTest {
  platform: TestPlatform;
  /** A typed connect client (support/clients.ts) of one of the platform's services, calling as `identity`, kept for the file. */
  client<S extends ServiceName>(service: S, identity: Identity): ServiceClient<S>;
  /**
   * grpc-js clients of the payment service, as the marketplace and as `identity`: kept for test/e2e/unpaid-expiry.test.ts
   * until it moves to `client`.
   */
  payments: GrpcJsClient;
  as(identity: Identity, service: "payments"): GrpcJsClient;
}

/**
 * Starts a test platform for the file (beforeAll) with typed connect clients of its services on demand, and stops it
 * all afterwards. Read the fields inside tests: they are set once beforeAll has run.
 */
export function usePlatform(options: TestPlatformOptions = {}): PlatformUnderTest {
  const clients = new Map<string, GrpcJsClient>();
  const as = (identity: Identity, _service?: "payments"): GrpcJsClient => {
    let client = clients.get(identity);
    if (!client) {
      client = grpcJsClient(
        "payment/v1/payment.proto",
        "payment.v1.PaymentService",
        under.platform.payment.url,
        identity,
      );
      clients.set(identity, client);
    }
    return client;
  };
  const typed = new Map<string, ServiceClient<ServiceName>>();
  const client = <S extends ServiceName>(service: S, identity: Identity): ServiceClient<S> => {
    const key = `${identity} ${service}`;
    if (!typed.has(key)) typed.set(key, serviceClient(service, under.platform[service].url, identity));
    return typed.get(key) as ServiceClient<S>;
  };
  // The clients come on first use: a file that starts some services only has those.
  const under = {
    as,
    client,
    get payments() {
      return as("marketplace");
    },
  } as PlatformUnderTest;
  beforeAll(async () => {
    under.platform = await startTestPlatform(options);
  });
  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await under.platform?.close();
  });
  return under;
}
