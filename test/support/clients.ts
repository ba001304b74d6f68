import type { DescService } from "@bufbuild/protobuf";
import { type Code, ConnectError, createClient, type CallOptions, type Client } from "@connectrpc/connect";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { LedgerService } from "../../gen/ledger/v1/ledger_pb.js";
import { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { ReconciliationService } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { RiskService } from "../../gen/risk/v1/risk_pb.js";
import { WalletService } from "../../gen/wallet/v1/wallet_pb.js";
import { OPERATOR_HEADER } from "../../services/lib/auth/policy.js";
import { grpcTransport } from "../../services/lib/grpc-client.js";
import type { Identity } from "../../services/lib/tls/identity.js";
import type { TlsMaterial } from "../../services/lib/tls/tls-material.js";
import { testTls } from "./tls.js";

/** Our gRPC services, each by the identity its servers prove with their certificates. */
export const SERVICES = {
  payment: PaymentService,
  risk: RiskService,
  wallet: WalletService,
  ledger: LedgerService,
  reconciliation: ReconciliationService,
} satisfies Partial<Record<Identity, DescService>>;

export type ServiceName = keyof typeof SERVICES;
export type ServiceClient<S extends ServiceName> = Client<(typeof SERVICES)[S]>;

/** Long enough for a test's slowest call (a reconciliation run); a call may set its own with `timeoutMs`. */
const TIMEOUT_MS = 30_000;

/**
 * A typed connect client of `service` at `url`, calling over mutual TLS as `as` (an identity of the test PKI, or any
 * certificate), through the transport the services use between themselves: requests and answers are the generated
 * message types, enums are numbers, int64 fields bigints, errors ConnectErrors with a `Code`.
 */
export function serviceClient<S extends ServiceName>(
  service: S,
  url: string,
  as: Identity | TlsMaterial,
): ServiceClient<S> {
  return createClient(
    SERVICES[service],
    grpcTransport(url, typeof as === "string" ? testTls(as) : as, { server: service, timeoutMs: TIMEOUT_MS }),
  ) as ServiceClient<S>;
}

/** The standard health service of the server at `url` (proving it is `server`), as the probe calls it. */
export function healthClient(url: string, server: Identity): Client<typeof Health> {
  return createClient(Health, grpcTransport(url, testTls("probe"), { server, timeoutMs: TIMEOUT_MS }));
}

/** The code and message (the server's own words) a call fails with. */
export async function failure(call: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await call;
  } catch (err) {
    const { code, rawMessage } = ConnectError.from(err);
    return { code, message: rawMessage };
  }
  throw new Error("expected the call to fail");
}

/** The call options with which the console vouches for a logged-in operator (only the console identity may send them). */
export const onBehalfOf = (operator: string): CallOptions => ({ headers: { [OPERATOR_HEADER]: operator } });
