import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountType, CheckInvariantsResponseSchema, type ViolationSchema } from "../../gen/ledger/v1/ledger_pb.js";
import { WalletService } from "../../gen/wallet/v1/wallet_pb.js";
import { startGrpcServer, type GrpcServer } from "../../services/lib/grpc-server.js";
import { createLogger } from "../../services/lib/log.js";
import { pageTokenKey, randomPageTokenSecret } from "../../services/lib/page-token.js";
import { walletPolicy } from "../../services/wallet/api/policy.js";
import { testTls } from "../support/tls.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { openAccounts, payIn, startLedgerUnderTest, type LedgerUnderTest } from "./ledger-test-service.js";

interface StubBalance {
  sellerId: string;
  currency: string;
  availableMinor: bigint;
}

/** A wallet service answering ListBalances from a list, two balances a page, so that the ledger must page; it never paid out. */
function walletRoutes(balances: () => StubBalance[]) {
  return (router: ConnectRouter) =>
    router.service(WalletService, {
      getBalance() {
        throw new Error("not used by the ledger");
      },
      getPipelineHealth() {
        return { health: {} };
      },
      listBalances(req) {
        const start = req.pageToken === "" ? 0 : Number(req.pageToken);
        const page = balances().slice(start, start + 2);
        return {
          balances: page.map((b) => ({
            sellerId: b.sellerId,
            available: { amountMinor: b.availableMinor, currency: b.currency },
          })),
          nextPageToken: start + 2 < balances().length ? String(start + 2) : "",
        };
      },
    });
}

let wallets: StubBalance[] = [];
let walletServer: GrpcServer;
let ledger: LedgerUnderTest;

beforeAll(async () => {
  walletServer = await startGrpcServer({
    routes: walletRoutes(() => wallets),
    healthProbe: async () => true,
    log: createLogger("wallet-stub"),
    metrics: new Registry(),
    tls: testTls("wallet"),
    policy: walletPolicy,
    audit: { record: async () => {}, list: async () => [] },
    pageTokenKey: pageTokenKey(randomPageTokenSecret()),
  });
  ledger = await startLedgerUnderTest({ walletUrl: walletServer.url });
  await openAccounts(ledger, {
    "psp_receivable:USD": AccountType.ASSET,
    "platform_fee_revenue:USD": AccountType.REVENUE,
    "seller_payable:s1:USD": AccountType.LIABILITY,
    "seller_payable:shop:eu:USD": AccountType.LIABILITY,
    "cash:EUR": AccountType.ASSET,
  });
  await ledger.book(payIn("payin:1", "s1", 10_000n, 250n));
  await ledger.book(payIn("payin:2", "shop:eu", 4_000n, 100n));
});

afterAll(async () => {
  await ledger?.close();
  await walletServer?.close();
});

const check = () => ledger.client.checkInvariants({});
/** The answer of a check that found `violations` and compared every wallet. */
const report = (violations: MessageInitShape<typeof ViolationSchema>[]) =>
  create(CheckInvariantsResponseSchema, { violations });

describe("CheckInvariants", () => {
  it("finds nothing wrong in right books, with the wallets paged through", async () => {
    wallets = [
      { sellerId: "s1", currency: "USD", availableMinor: 9_750n },
      { sellerId: "shop:eu", currency: "USD", availableMinor: 3_900n },
      { sellerId: "s9", currency: "USD", availableMinor: 0n },
    ];
    expect(await check()).toEqual(report([]));
  });

  it("reports a wallet that differs from its seller_payable account, with both amounts", async () => {
    wallets = [
      { sellerId: "s1", currency: "USD", availableMinor: 9_750n },
      { sellerId: "shop:eu", currency: "USD", availableMinor: 3_899n },
      { sellerId: "s9", currency: "EUR", availableMinor: 1n },
    ];
    expect(await check()).toEqual(
      report([
        {
          invariant: "wallet_differs_from_seller_payable",
          detail: '"seller_payable:s9:EUR" is 0.00 EUR in the ledger, but the wallet of seller "s9" holds 0.01 EUR',
          accountCode: "seller_payable:s9:EUR",
          transactionId: "",
          currency: "EUR",
        },
        {
          invariant: "wallet_differs_from_seller_payable",
          detail:
            '"seller_payable:shop:eu:USD" is 39.00 USD in the ledger, but the wallet of seller "shop:eu" holds 38.99 USD',
          accountCode: "seller_payable:shop:eu:USD",
          transactionId: "",
          currency: "USD",
        },
      ]),
    );
  });

  it("reports what was planted behind the triggers' back, precisely", async () => {
    wallets = [
      { sellerId: "s1", currency: "USD", availableMinor: 9_750n },
      { sellerId: "shop:eu", currency: "USD", availableMinor: 3_900n },
    ];
    const store = new LedgerStore(ledger.db);
    await expect
      .poll(
        async () => {
          await store.advanceCheckpoints();
          return (
            await ledger.db("account_checkpoints").where({ account_code: "psp_receivable:USD" }).first("debits_minor")
          )?.debits_minor;
        },
        { timeout: 15_000 },
      )
      .toBe(14_000n);

    // Replica mode skips triggers (and would skip foreign keys): the only way to write what the rules forbid.
    await ledger.db.transaction(async (trx) => {
      await trx.raw("set local session_replication_role = replica");
      await trx.raw(`insert into transactions (id, description, fingerprint) values
        ('planted-unbalanced', 'planted', 'x'), ('planted-lonely', 'planted', 'x'), ('planted-eur', 'planted', 'x')`);
      await trx.raw(`insert into entries (transaction_id, position, account_code, currency, direction, amount_minor, xid) values
        ('planted-unbalanced', 0, 'psp_receivable:USD', 'USD', 'DEBIT', 100, pg_current_xact_id()),
        ('planted-unbalanced', 1, 'seller_payable:s1:USD', 'USD', 'CREDIT', 90, pg_current_xact_id()),
        ('ghost', 0, 'cash:EUR', 'EUR', 'DEBIT', 5, pg_current_xact_id()),
        ('ghost', 1, 'cash:EUR', 'EUR', 'CREDIT', 5, pg_current_xact_id()),
        ('planted-eur', 0, 'cash:EUR', 'EUR', 'DEBIT', 7, pg_current_xact_id()),
        ('planted-eur', 1, 'psp_receivable:USD', 'EUR', 'CREDIT', 7, pg_current_xact_id())`);
      await trx.raw(
        "update account_checkpoints set credits_minor = credits_minor + 1 where account_code = 'platform_fee_revenue:USD'",
      );
    });

    expect(await check()).toEqual(
      report([
        {
          invariant: "currency_sum_not_zero",
          detail: "USD entries do not sum to zero: debits 141.00 USD, credits 140.90 USD",
          accountCode: "",
          transactionId: "",
          currency: "USD",
        },
        {
          invariant: "transaction_unbalanced",
          detail: 'transaction "planted-unbalanced" does not balance in USD: debits 1.00 USD, credits 0.90 USD',
          accountCode: "",
          transactionId: "planted-unbalanced",
          currency: "USD",
        },
        {
          invariant: "transaction_too_few_entries",
          detail: 'transaction "planted-lonely" has 0 entries; a transaction needs at least 2',
          accountCode: "",
          transactionId: "planted-lonely",
          currency: "",
        },
        {
          invariant: "entry_without_transaction",
          detail: 'entry 0 on "cash:EUR" belongs to transaction "ghost", which does not exist',
          accountCode: "cash:EUR",
          transactionId: "ghost",
          currency: "",
        },
        {
          invariant: "entry_without_transaction",
          detail: 'entry 1 on "cash:EUR" belongs to transaction "ghost", which does not exist',
          accountCode: "cash:EUR",
          transactionId: "ghost",
          currency: "",
        },
        {
          invariant: "entry_account_mismatch",
          detail: 'entry 1 of transaction "planted-eur" is in EUR on account "psp_receivable:USD", which is in USD',
          accountCode: "psp_receivable:USD",
          transactionId: "planted-eur",
          currency: "EUR",
        },
        {
          invariant: "checkpoint_differs_from_entries",
          detail:
            'the checkpoint of "platform_fee_revenue:USD" holds debits 0.00 USD, credits 3.51 USD, ' +
            "but its entries below the checkpoint's horizon sum to debits 0.00 USD, credits 3.50 USD",
          accountCode: "platform_fee_revenue:USD",
          transactionId: "",
          currency: "USD",
        },
        {
          invariant: "wallet_differs_from_seller_payable",
          detail: '"seller_payable:s1:USD" is 98.40 USD in the ledger, but the wallet of seller "s1" holds 97.50 USD',
          accountCode: "seller_payable:s1:USD",
          transactionId: "",
          currency: "USD",
        },
      ]),
    );
  });

  it("says when wallets are not compared", async () => {
    const alone = await startLedgerUnderTest();
    try {
      expect(await alone.client.checkInvariants({})).toEqual(
        create(CheckInvariantsResponseSchema, {
          notes: [
            "wallet balances were not compared with the seller_payable accounts: no wallet service is configured",
          ],
        }),
      );
    } finally {
      await alone.close();
    }
  });
});
