import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditService } from "../../gen/audit/v1/audit_pb.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { LedgerService } from "../../gen/ledger/v1/ledger_pb.js";
import { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { ReconciliationService } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { RiskService } from "../../gen/risk/v1/risk_pb.js";
import { WalletService } from "../../gen/wallet/v1/wallet_pb.js";
import { commonPolicies } from "../../services/lib/auth/common-policies.js";
import { OPERATOR_HEADER, type ServicePolicy } from "../../services/lib/auth/policy.js";
import { grpcTransport } from "../../services/lib/grpc-client.js";
import { startGrpcServer } from "../../services/lib/grpc-server.js";
import { createLogger } from "../../services/lib/log.js";
import { pageTokenKey, randomPageTokenSecret } from "../../services/lib/page-token.js";
import { Registry } from "prom-client";
import { issueDevPki } from "../../services/lib/tls/dev-ca.js";
import { IDENTITIES, type Identity } from "../../services/lib/tls/identity.js";
import type { TlsMaterial } from "../../services/lib/tls/tls-material.js";
import { ledgerPolicy } from "../../services/ledger/api/policy.js";
import { paymentPolicy } from "../../services/payment/api/policy.js";
import { reconciliationPolicy } from "../../services/reconciliation/api/policy.js";
import { riskPolicy } from "../../services/risk/api/policy.js";
import { walletPolicy } from "../../services/wallet/api/policy.js";
import { randomUUID } from "node:crypto";
import { startPaymentReplica, startTestPlatform, type TestPlatform } from "../support/platform.js";
import { grpc, grpcJsClient, unary, type GrpcJsClient } from "../support/grpc-js.js";
import { testTls } from "../support/tls.js";

/** Every service of the platform, its policy, and where the test platform serves it. */
type Server = "payment" | "risk" | "ledger" | "wallet" | "reconciliation";
const SERVED: { policy: ServicePolicy; server: Server }[] = [
  { policy: paymentPolicy, server: "payment" },
  { policy: riskPolicy, server: "risk" },
  { policy: ledgerPolicy, server: "ledger" },
  { policy: walletPolicy, server: "wallet" },
  { policy: reconciliationPolicy, server: "reconciliation" },
];
const ALL_SERVICES: DescService[] = [PaymentService, RiskService, LedgerService, WalletService, ReconciliationService];

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(async () => {
  await platform?.close();
});

const urlOf = (server: Server) => platform[server].url;

/** A transport to one of the platform's services, as the owner of `tls`. */
const transportTo = (server: Server, tls: TlsMaterial, url = urlOf(server)) =>
  grpcTransport(url, tls, { server, timeoutMs: 10_000 });

function clientOf<S extends DescService>(service: S, server: Server, tls: TlsMaterial): Client<S> {
  return createClient(service, transportTo(server, tls));
}

/** Calls one method with an empty request (and `header`), resolving with the error it gets, or undefined. */
async function errorOf(
  transport: Transport,
  method: DescMethod,
  header: HeadersInit = {},
): Promise<ConnectError | undefined> {
  const client = createClient(method.parent, transport) as unknown as Record<string, Function>;
  const request = create(method.input);
  try {
    if (method.methodKind === "server_streaming") {
      for await (const _ of client[method.localName]!(request, { headers: header })) break;
    } else {
      await client[method.localName]!(request, { headers: header });
    }
    return undefined;
  } catch (err) {
    return ConnectError.from(err);
  }
}

const checkout = () => ({
  checkoutId: `cart-${randomUUID()}`,
  buyerId: `buyer-${randomUUID()}`,
  buyerCountry: "US",
  orders: [{ orderId: "order-1", sellerId: "seller-a", amount: { amountMinor: 2_500n, currency: "USD" } }],
});

const serverOf = (service: DescService) => SERVED.find((s) => s.policy.service === service)!.server;

describe("the policy tables", () => {
  it("name every RPC of every service, and only identities we issue", () => {
    for (const service of [...ALL_SERVICES, ...commonPolicies.map((p) => p.service)]) {
      const policy = [...SERVED.map((s) => s.policy), ...commonPolicies].find((p) => p.service === service);
      expect(policy, service.typeName).toBeDefined();
      for (const method of service.methods) {
        const rule = (policy!.methods as Record<string, { callers: readonly Identity[] } | undefined>)[
          method.localName
        ];
        expect(rule, `${service.typeName}/${method.name} has no entry`).toBeDefined();
        expect(rule!.callers.length, `${service.typeName}/${method.name}`).toBeGreaterThan(0);
        for (const caller of rule!.callers) expect(IDENTITIES).toContain(caller);
      }
    }
  });
});

describe("every RPC refuses every identity it does not grant", () => {
  const cases = SERVED.flatMap(({ policy }) =>
    policy.service.methods.flatMap((method) => {
      const granted = (policy.methods as Record<string, { callers: readonly Identity[] }>)[method.localName]!.callers;
      return IDENTITIES.filter((identity) => !granted.includes(identity)).map(
        (identity) =>
          [`${identity} -> ${policy.service.typeName}/${method.name}`, policy.service, method, identity] as const,
      );
    }),
  );

  it.each(cases)("%s: PERMISSION_DENIED naming method and caller", async (_, service, method, identity) => {
    const transport = transportTo(serverOf(service), testTls(identity));
    const error = await errorOf(transport, method);
    expect(error?.code, error?.rawMessage).toBe(Code.PermissionDenied);
    expect(error!.rawMessage).toBe(`${identity} may not call /${service.typeName}/${method.name}`);
  });
});

describe("who may connect", () => {
  const foreignDir = mkdtempSync(join(tmpdir(), "foreign-ca-"));
  afterAll(() => rmSync(foreignDir, { recursive: true, force: true }));

  it("a caller without a client certificate is UNAUTHENTICATED, on every service", async () => {
    const { ca } = testTls("marketplace");
    for (const { policy, server } of SERVED) {
      const transport = createGrpcTransport({ baseUrl: urlOf(server), nodeOptions: { ca } });
      const error = await errorOf(transport, policy.service.methods[0]!);
      expect(error?.code, policy.service.typeName).toBe(Code.Unauthenticated);
      expect(error!.rawMessage).toMatch(/client certificate/);
    }
  });

  it("a certificate from another CA, even one naming our identities, is UNAUTHENTICATED", async () => {
    const foreign = await issueDevPki(foreignDir);
    const forged = { ...foreign.material("marketplace"), ca: testTls("marketplace").ca };
    const error = await errorOf(transportTo("wallet", forged), WalletService.method.requestPayout);
    expect(error?.code).toBe(Code.Unauthenticated);
  });

  it("our clients refuse a server whose certificate names another service than the one they meant to reach", async () => {
    const error = await errorOf(
      transportTo("ledger", testTls("operator-tools"), urlOf("wallet")),
      LedgerService.method.getBalance,
    );
    expect(error?.rawMessage).toContain("is not the ledger service: its certificate names wallet");
  });

  it("a plaintext HTTP/2 connection gets no answer from any service", async () => {
    for (const { policy, server } of SERVED) {
      const transport = createGrpcTransport({ baseUrl: urlOf(server).replace("https://", "http://") });
      const error = await errorOf(transport, policy.service.methods[0]!);
      // Whatever the client makes of the TLS server's answer, no handler saw the call (not even to refuse it).
      expect(error, policy.service.typeName).toBeDefined();
      expect([Code.PermissionDenied, Code.Unauthenticated, Code.InvalidArgument, Code.NotFound]).not.toContain(
        error!.code,
      );
    }
  });

  it("the health service answers any identity we issue, the probe's included, and nothing else to the probe", async () => {
    const probe = testTls("probe");
    const health = clientOf(Health, "ledger", probe);
    expect((await health.check({ service: "" })).status).toBe(1);
    const error = await errorOf(transportTo("ledger", probe), LedgerService.method.getBalance);
    expect(error?.code).toBe(Code.PermissionDenied);
  });
});

describe("@grpc/grpc-js over TLS (interop)", () => {
  it("a grpc-js client with a client certificate is served; without one UNAUTHENTICATED; in plaintext nothing", async () => {
    const withCert = grpcJsClient(
      "payment/v1/payment.proto",
      "payment.v1.PaymentService",
      urlOf("payment"),
      "marketplace",
    );
    const { ca } = testTls("marketplace");
    const host = new URL(urlOf("payment")).host;
    const Service = withCert.constructor as new (address: string, credentials: grpc.ChannelCredentials) => GrpcJsClient;
    const noCert = new Service(host, grpc.credentials.createSsl(Buffer.from(ca)));
    const plaintext = new Service(host, grpc.credentials.createInsecure());
    try {
      const { payment } = await unary(withCert, "createPayment", {
        ...checkout(),
        orders: [{ orderId: "o1", sellerId: "s1", amount: { amountMinor: "1200", currency: "USD" } }],
      });
      expect(payment.status).toBe("PAYMENT_STATUS_EXECUTING");
      await expect(unary(noCert, "getPayment", { paymentId: payment.paymentId })).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
      await expect(unary(plaintext, "getPayment", { paymentId: payment.paymentId })).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
    } finally {
      for (const client of [withCert, noCert, plaintext]) client.close();
    }
  });
});

describe("the actor is the authenticated caller", () => {
  it("only the console may name an operator; a person's decision needs one", async () => {
    const asMarketplace = transportTo("payment", testTls("marketplace"));
    const vouching = await errorOf(asMarketplace, PaymentService.method.refundPayment, { [OPERATOR_HEADER]: "admin" });
    expect(vouching?.code).toBe(Code.PermissionDenied);
    expect(vouching!.rawMessage).toMatch(/only the console may name an operator/);

    const asConsole = transportTo("payment", testTls("console"));
    const anonymous = await errorOf(asConsole, PaymentService.method.decideRiskReview);
    expect(anonymous?.code).toBe(Code.PermissionDenied);
    expect(anonymous!.rawMessage).toMatch(/is a person's decision/);
    const badLogin = await errorOf(asConsole, PaymentService.method.decideRiskReview, {
      [OPERATOR_HEADER]: "Robert'); drop",
    });
    expect(badLogin?.code).toBe(Code.InvalidArgument);
  });

  it("every mutating call leaves an audit record with caller, operator, ids and outcome, refusals included", async () => {
    const asRisk = clientOf(PaymentService, "payment", testTls("risk"));
    await expect(asRisk.refundPayment({ paymentId: "pay_audited", refundId: "re_x" })).rejects.toMatchObject({
      code: Code.PermissionDenied,
    });
    const asConsole = clientOf(PaymentService, "payment", testTls("console"));
    await expect(
      asConsole.refundPayment({ paymentId: "pay_audited" }, { headers: { [OPERATOR_HEADER]: "ann" } }),
    ).rejects.toBeInstanceOf(ConnectError);

    const audit = clientOf(AuditService, "payment", testTls("operator-tools"));
    const { records } = await audit.listAuditRecords({ method: "/payment.v1.PaymentService/RefundPayment" });
    const mine = records.filter((r) => r.ids.payment_id === "pay_audited");
    expect(mine.map((r) => [r.caller, r.operator, r.outcome])).toEqual([
      ["console", "ann", expect.not.stringMatching(/^OK$/)],
      ["risk", "", "PERMISSION_DENIED"],
    ]);
    expect(mine[1]!.ids).toMatchObject({ payment_id: "pay_audited", refund_id: "re_x" });
    expect(mine[0]!.at).toBeDefined();
    // A header only the console may send is refused and not believed: the record names no operator.
    const asMarketplaceVouching = clientOf(PaymentService, "payment", testTls("marketplace"));
    await expect(
      asMarketplaceVouching.refundPayment(
        { paymentId: "pay_forged_operator" },
        { headers: { [OPERATOR_HEADER]: "admin" } },
      ),
    ).rejects.toMatchObject({
      code: Code.PermissionDenied,
    });
    const forged = (
      await audit.listAuditRecords({ method: "/payment.v1.PaymentService/RefundPayment" })
    ).records.filter((r) => r.ids.payment_id === "pay_forged_operator");
    expect(forged.map((r) => [r.caller, r.operator, r.outcome])).toEqual([["marketplace", "", "PERMISSION_DENIED"]]);
    // Reads are not audited, and the marketplace may not read the audit.
    const asMarketplace = clientOf(AuditService, "payment", testTls("marketplace"));
    await expect(asMarketplace.listAuditRecords({})).rejects.toMatchObject({ code: Code.PermissionDenied });
  });
});

describe("reserved ledger ids", () => {
  const posting = (transactionId: string) => ({
    transactionId,
    description: "squat",
    entries: [
      { accountCode: "psp_receivable:USD", direction: 1, amount: { amountMinor: 1n, currency: "USD" } },
      { accountCode: "platform_fee_revenue:USD", direction: 2, amount: { amountMinor: 1n, currency: "USD" } },
    ],
  });

  it.each([
    ["operator-tools", "payin:pay_inflight"],
    ["operator-tools", "PayIn:pay_inflight"],
    ["operator-tools", "refund:re_1"],
    ["operator-tools", "payout:po_1"],
    ["operator-tools", "dispute:dp_1"],
    ["operator-tools", "settlement:2024-01-01:x"],
    ["operator-tools", "adjustment:1"],
    ["reconciliation", "payin:pay_inflight"],
  ] as const)("%s posting %s is PERMISSION_DENIED", async (identity, id) => {
    const ledger = clientOf(LedgerService, "ledger", testTls(identity));
    await expect(ledger.postTransaction(posting(id))).rejects.toMatchObject({
      code: Code.PermissionDenied,
      rawMessage: expect.stringContaining(`may not post`),
    });
  });
});

describe("every input bounded", () => {
  const asMarketplace = () => clientOf(PaymentService, "payment", testTls("marketplace"));

  it("a message over 1 MiB is RESOURCE_EXHAUSTED, before it is decoded", async () => {
    const error = await asMarketplace()
      .createPayment({ ...checkout(), buyerId: "x".repeat(2 * 1024 * 1024) })
      .catch((err: unknown) => ConnectError.from(err));
    expect(error).toMatchObject({ code: Code.ResourceExhausted });
  });

  it.each([
    ["a NUL byte", "goodwill\u0000"],
    ["an escape sequence", "\u001b[2Jcleared"],
    ["a DEL", "a\u007fb"],
    ["1,001 characters", "x".repeat(1001)],
  ])("%s in a string field is INVALID_ARGUMENT naming the field", async (_, reason) => {
    const error = await asMarketplace()
      .refundPayment({ paymentId: "pay_x", refundId: "re_x", reason })
      .catch((err: unknown) => ConnectError.from(err));
    expect(error).toMatchObject({ code: Code.InvalidArgument, rawMessage: expect.stringMatching(/^reason: /) });
  });

  it("a streamed call's request is bounded too", async () => {
    const payments = asMarketplace();
    await expect(
      payments.watchPayment({ paymentId: "pay_\u0000" })[Symbol.asyncIterator]().next(),
    ).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringMatching(/^payment_id: contains the control character U\+0000/),
    });
  });

  it("a wallet destination with a NUL byte is INVALID_ARGUMENT, not INTERNAL", async () => {
    const wallets = clientOf(WalletService, "wallet", testTls("marketplace"));
    await expect(wallets.setPayoutAccount({ sellerId: "s1", destination: "ba_\u0000" })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
  });

  it("calls beyond the cap in flight on one connection are RESOURCE_EXHAUSTED, and the next ones served once those end", async () => {
    let release = () => {};
    const slow = new Promise<boolean>((resolve) => (release = () => resolve(true)));
    const server = await startGrpcServer({
      routes: () => {},
      healthProbe: () => slow,
      log: createLogger("call-cap-test"),
      metrics: new Registry(),
      tls: testTls("risk"),
      policy: riskPolicy,
      audit: { record: async () => {}, list: async () => [] },
      pageTokenKey: pageTokenKey(randomPageTokenSecret()),
      limits: { maxCallsPerConnection: 2 },
    });
    try {
      const health = createClient(Health, transportTo("risk", testTls("probe"), server.url));
      const held = [health.check({}), health.check({})];
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(health.check({})).rejects.toMatchObject({
        code: Code.ResourceExhausted,
        rawMessage: expect.stringContaining("2 calls are already in flight on this connection"),
      });
      release();
      await Promise.all(held);
      expect((await health.check({})).status).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("WatchPayment streams beyond an instance's cap are RESOURCE_EXHAUSTED, and a closed one frees its place", async () => {
    const replica = await startPaymentReplica(platform, { maxWatches: 2 });
    try {
      const payments = createClient(PaymentService, transportTo("payment", testTls("marketplace"), replica.url));
      const { payment } = await payments.createPayment(checkout());
      const watchers = [new AbortController(), new AbortController()];
      const open = watchers.map((w) =>
        payments.watchPayment({ paymentId: payment!.paymentId }, { signal: w.signal })[Symbol.asyncIterator](),
      );
      for (const stream of open) await stream.next();
      const third = payments.watchPayment({ paymentId: payment!.paymentId })[Symbol.asyncIterator]();
      await expect(third.next()).rejects.toMatchObject({ code: Code.ResourceExhausted });
      watchers[0]!.abort();
      await expect(open[0]!.next()).rejects.toBeDefined();
      const attempt = async () => {
        const watcher = new AbortController();
        const outcome = await payments
          .watchPayment({ paymentId: payment!.paymentId }, { signal: watcher.signal })
          [Symbol.asyncIterator]()
          .next()
          .then(
            () => "open",
            () => "refused",
          );
        watcher.abort();
        return outcome;
      };
      await expect.poll(attempt, { timeout: 5_000 }).toBe("open");
      watchers[1]!.abort();
    } finally {
      await replica.close();
    }
  });
});
