import { afterAll, beforeAll } from "vitest";
import type { Identity } from "../../services/lib/tls/identity.js";
import { serviceClient, type ServiceClient, type ServiceName } from "./clients.js";
import { grpcJsClient, type GrpcJsClient } from "./grpc-js.js";
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from "./platform.js";

export interface PlatformUnderTest {
  platform: TestPlatform;
  payments: GrpcJsClient;
  wallets: GrpcJsClient;
  ledger: GrpcJsClient;
  /** A client of one of those services calling as another identity (e.g. the console, operator-tools), kept for the file. */
  as(identity: Identity, service: "payments" | "wallets" | "ledger"): GrpcJsClient;
  /** A typed connect client (support/clients.ts) of one of the platform's services, calling as `identity`, kept for the file. */
  client<S extends ServiceName>(service: S, identity: Identity): ServiceClient<S>;
}

const SERVICES = {
  payments: ["payment/v1/payment.proto", "payment.v1.PaymentService", "payment"],
  wallets: ["wallet/v1/wallet.proto", "wallet.v1.WalletService", "wallet"],
  ledger: ["ledger/v1/ledger.proto", "ledger.v1.LedgerService", "ledger"],
} as const;

/**
 * Starts a test platform for the file (beforeAll) with grpc-js clients of its payment, wallet and ledger services
 * (and typed connect clients on demand), and stops it all afterwards. Read the fields inside tests: they are set once beforeAll has run.
 */
export function usePlatform(options: TestPlatformOptions = {}): PlatformUnderTest {
  const clients = new Map<string, GrpcJsClient>();
  const as = (identity: Identity, service: keyof typeof SERVICES): GrpcJsClient => {
    const key = `${identity} ${service}`;
    let client = clients.get(key);
    if (!client) {
      const [proto, name, field] = SERVICES[service];
      client = grpcJsClient(proto, name, under.platform[field].url, identity);
      clients.set(key, client);
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
      return as("marketplace", "payments");
    },
    get wallets() {
      return as("marketplace", "wallets");
    },
    get ledger() {
      return as("operator-tools", "ledger");
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
