import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { AuditService } from "../../../gen/audit/v1/audit_pb.js";
import { LedgerService } from "../../../gen/ledger/v1/ledger_pb.js";
import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { ReconciliationService } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { WalletService } from "../../../gen/wallet/v1/wallet_pb.js";
import { OPERATOR_HEADER } from "../../lib/auth/policy.js";
import { grpcTransport } from "../../lib/grpc-client.js";
import type { TlsMaterial } from "../../lib/tls/tls-material.js";
import { AUDITED_SERVICES, type AuditedService } from "../domain/audited-services.js";
import type { Outcome } from "../views/outcome.js";

/** The services the console reads, each over its own gRPC API (the console never reads their tables). */
export interface ConsoleClients {
  payments: Client<typeof PaymentService>;
  ledger: Client<typeof LedgerService>;
  reconciliation: Client<typeof ReconciliationService>;
  wallets: Client<typeof WalletService>;
  /** Each service's own record of the calls it received (its rpc_audit table), by service. */
  audits: Record<AuditedService, Client<typeof AuditService>>;
}

export interface ConsoleClientUrls {
  paymentUrl: string;
  ledgerUrl: string;
  reconciliationUrl: string;
  walletUrl: string;
  /** The console reads only the risk service's audit records. */
  riskUrl: string;
}

const CALL_TIMEOUT_MS = 10_000;

export function createConsoleClients(urls: ConsoleClientUrls, tls: TlsMaterial): ConsoleClients {
  const transports = {
    payment: grpcTransport(urls.paymentUrl, tls, { server: "payment", timeoutMs: CALL_TIMEOUT_MS }),
    risk: grpcTransport(urls.riskUrl, tls, { server: "risk", timeoutMs: CALL_TIMEOUT_MS }),
    ledger: grpcTransport(urls.ledgerUrl, tls, { server: "ledger", timeoutMs: CALL_TIMEOUT_MS }),
    wallet: grpcTransport(urls.walletUrl, tls, { server: "wallet", timeoutMs: CALL_TIMEOUT_MS }),
    reconciliation: grpcTransport(urls.reconciliationUrl, tls, {
      server: "reconciliation",
      timeoutMs: CALL_TIMEOUT_MS,
    }),
  };
  return {
    payments: createClient(PaymentService, transports.payment),
    ledger: createClient(LedgerService, transports.ledger),
    reconciliation: createClient(ReconciliationService, transports.reconciliation),
    wallets: createClient(WalletService, transports.wallet),
    audits: Object.fromEntries(
      AUDITED_SERVICES.map((service) => [service, createClient(AuditService, transports[service])]),
    ) as ConsoleClients["audits"],
  };
}

/** Call options naming the logged-in operator a call is made for: the services record them as the actor. */
export function onBehalfOf(operatorId: string): { headers: Record<string, string> } {
  return { headers: { [OPERATOR_HEADER]: operatorId } };
}

/** Runs a call and keeps its failure as a value, so that a page can say what went wrong next to what did work. */
export async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    return { ok: false, error: ConnectError.from(err) };
  }
}

/**
 * Failures after which a request may have been carried out all the same: the service failed on the way, or its
 * answer was lost. The console never cancels a call, so CANCELED is a connection closed under it (HTTP/2 CANCEL).
 */
const UNCERTAIN = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unknown, Code.Canceled]);

export type OnceOutcome =
  | { kind: "done" }
  | { kind: "refused"; error: ConnectError }
  | { kind: "unconfirmed"; error: ConnectError };

/**
 * A request made under an idempotency key. When it failed in a way that leaves open whether it was recorded,
 * `recorded()` looks for it under that key: found, it is done; not found (or not known), it is unconfirmed, and
 * the same request with the same key may be sent again (it is carried out at most once).
 */
export async function requestOnce(
  call: () => Promise<unknown>,
  recorded: () => Promise<boolean>,
): Promise<OnceOutcome> {
  const sent = await attempt(call);
  if (sent.ok) return { kind: "done" };
  if (!UNCERTAIN.has(sent.error.code)) return { kind: "refused", error: sent.error };
  const found = await attempt(recorded);
  return found.ok && found.value ? { kind: "done" } : { kind: "unconfirmed", error: sent.error };
}

/** The HTTP status of a page whose main call failed this way. */
export function httpStatusOf(error: ConnectError): number {
  switch (error.code) {
    case Code.NotFound:
      return 404;
    case Code.InvalidArgument:
      return 400;
    // The request cannot be done in the state things are in (e.g. the exception is already adjusted).
    case Code.FailedPrecondition:
    case Code.AlreadyExists:
    case Code.Aborted:
      return 409;
    case Code.Unimplemented:
      return 501;
    default:
      return 502;
  }
}
