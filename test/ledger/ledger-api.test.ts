import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MoneySchema } from "../../gen/common/v1/money_pb.js";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import {
  AccountBalanceSchema,
  AccountType,
  Direction,
  GetBalanceResponseSchema,
  OpenAccountResponseSchema,
  type PostedEntry,
  type PostTransactionRequestSchema,
} from "../../gen/ledger/v1/ledger_pb.js";
import { failure, healthClient } from "../support/clients.js";
import { waitFor } from "../support/wait.js";
import {
  credit,
  debit,
  money,
  openAccounts,
  payIn,
  startLedgerUnderTest,
  type LedgerUnderTest,
} from "./ledger-test-service.js";

let ledger: LedgerUnderTest;

beforeAll(async () => {
  ledger = await startLedgerUnderTest();
  await openAccounts(ledger, {
    "psp_receivable:USD": AccountType.ASSET,
    "platform_fee_revenue:USD": AccountType.REVENUE,
    "seller_payable:books:USD": AccountType.LIABILITY,
    "seller_payable:games:USD": AccountType.LIABILITY,
    "cash:EUR": AccountType.ASSET,
    "sales:EUR": AccountType.REVENUE,
  });
});

afterAll(async () => {
  await ledger?.close();
});

type PostRequest = MessageInitShape<typeof PostTransactionRequestSchema>;
const post = (request: PostRequest) => ledger.client.postTransaction(request);
const balance = async (accountCode: string) => (await ledger.client.getBalance({ accountCode })).balance!.amountMinor;

describe("OpenAccount", () => {
  it("is idempotent, and refuses the same code with another type", async () => {
    const account = { code: "seller_payable:toys:USD", type: AccountType.LIABILITY, currency: "USD" };
    const opened = create(OpenAccountResponseSchema, { account });
    expect(await ledger.client.openAccount({ account })).toEqual(opened);
    expect(await ledger.client.openAccount({ account })).toEqual(opened);
    expect(await failure(ledger.client.openAccount({ account: { ...account, type: AccountType.ASSET } }))).toEqual({
      code: Code.AlreadyExists,
      message:
        'account "seller_payable:toys:USD" is already open as LIABILITY in USD; an account keeps its type and currency',
    });
  });

  it("names the field of an invalid account", async () => {
    expect(await failure(ledger.client.openAccount({}))).toEqual({
      code: Code.InvalidArgument,
      message: "account: is required",
    });
    expect(
      await failure(
        ledger.client.openAccount({ account: { code: "cash:EUR", type: AccountType.ASSET, currency: "USD" } }),
      ),
    ).toEqual({
      code: Code.InvalidArgument,
      message: 'account.code: must end with ":USD", the account\'s currency, e.g. "psp_receivable:USD"',
    });
    expect(await failure(ledger.client.openAccount({ account: { code: "cash:USD", currency: "USD" } }))).toEqual({
      code: Code.InvalidArgument,
      message: "account.type: is required (ASSET, LIABILITY, REVENUE or EXPENSE)",
    });
  });
});

describe("PostTransaction refuses, saying which field and why", () => {
  const good = payIn("refused", "books", 1_000n, 100n);
  const cases: [string, PostRequest, Code, string][] = [
    [
      "fewer than 2 entries",
      { ...good, entries: [debit("psp_receivable:USD", 100)] },
      Code.InvalidArgument,
      "entries: must contain at least 2 entries (a debit and a credit), got 1",
    ],
    [
      "a zero amount",
      {
        ...good,
        entries: [
          debit("psp_receivable:USD", 100),
          credit("seller_payable:books:USD", 100),
          credit("platform_fee_revenue:USD", 0),
        ],
      },
      Code.InvalidArgument,
      "entries[2].amount.amount_minor: must be a positive integer number of minor units, got 0",
    ],
    [
      "a negative amount",
      { ...good, entries: [debit("psp_receivable:USD", 100), credit("seller_payable:books:USD", -100)] },
      Code.InvalidArgument,
      "entries[1].amount.amount_minor: must be a positive integer number of minor units, got -100",
    ],
    [
      "a missing direction",
      {
        ...good,
        entries: [
          debit("psp_receivable:USD", 100),
          { ...credit("seller_payable:books:USD", 100), direction: Direction.UNSPECIFIED },
        ],
      },
      Code.InvalidArgument,
      "entries[1].direction: is required (DEBIT or CREDIT)",
    ],
    [
      "debits that differ from credits",
      {
        ...good,
        entries: [
          debit("psp_receivable:USD", 1_000),
          credit("seller_payable:books:USD", 900),
          credit("platform_fee_revenue:USD", 99),
        ],
      },
      Code.InvalidArgument,
      "entries: do not balance in USD: debits 10.00 USD, credits 9.99 USD; debits must equal credits in every currency",
    ],
    [
      "a balance across currencies only",
      { ...good, entries: [debit("psp_receivable:USD", 100), credit("sales:EUR", 100, "EUR")] },
      Code.InvalidArgument,
      "entries: do not balance in USD: debits 1.00 USD, credits 0.00 USD; debits must equal credits in every currency",
    ],
    ["a missing transaction id", { ...good, transactionId: "" }, Code.InvalidArgument, "transaction_id: is required"],
    [
      "an unknown account",
      { ...good, entries: [debit("psp_receivable:USD", 100), credit("seller_payable:ghost:USD", 100)] },
      Code.NotFound,
      'entries[1].account_code: account "seller_payable:ghost:USD" does not exist; open it first',
    ],
    [
      "an account of another currency",
      { ...good, entries: [debit("psp_receivable:USD", 100, "EUR"), credit("sales:EUR", 100, "EUR")] },
      Code.FailedPrecondition,
      'entries[0].amount.currency: account "psp_receivable:USD" holds USD, not EUR',
    ],
  ];

  it.each(cases)("%s", async (_, request, code, message) => {
    expect(await failure(post(request))).toEqual({ code, message });
    expect((await failure(ledger.client.getTransaction({ transactionId: "refused" }))).code).toBe(Code.NotFound);
  });
});

describe("PostTransaction is idempotent on transaction_id", () => {
  it("returns the transaction already posted for the same content, posting it once", async () => {
    const request = payIn("sale:idem-1", "books", 2_599n, 65n);
    const first = await post(request);
    expect(first.transaction).toMatchObject({
      transactionId: "sale:idem-1",
      description: "pay-in sale:idem-1",
      entries: request.entries,
    });
    const before = await balance("psp_receivable:USD");
    expect(await post(request)).toEqual(first);
    expect(await balance("psp_receivable:USD")).toBe(before);
    expect((await ledger.client.getTransaction({ transactionId: "sale:idem-1" })).transaction).toEqual(
      first.transaction,
    );
  });

  it("refuses other content under an id already posted", async () => {
    await post(payIn("sale:idem-2", "books", 1_000n, 10n));
    const other = await failure(post(payIn("sale:idem-2", "books", 1_000n, 20n)));
    expect(other.code).toBe(Code.AlreadyExists);
    expect(other.message).toMatch(
      /^transaction_id "sale:idem-2" was already posted at .+ with different content; retry with the identical transaction, or use a new transaction_id$/,
    );
  });
});

describe("GetTransaction and GetBalance", () => {
  it("return the posted transaction, and balances in each account's normal direction", async () => {
    await openAccounts(ledger, {
      "psp_receivable:JPY": AccountType.ASSET,
      "platform_fee_revenue:JPY": AccountType.REVENUE,
      "seller_payable:books:JPY": AccountType.LIABILITY,
    });
    await post(payIn("jpy-1", "books", 5_000n, 250n, "JPY"));
    await post(payIn("jpy-2", "books", 1_000n, 50n, "JPY"));
    const { transaction } = await ledger.client.getTransaction({ transactionId: "jpy-2" });
    expect(transaction!.entries.map((e) => [e.accountCode, e.direction, e.amount!.amountMinor])).toEqual([
      ["psp_receivable:JPY", Direction.DEBIT, 1000n],
      ["seller_payable:books:JPY", Direction.CREDIT, 950n],
      ["platform_fee_revenue:JPY", Direction.CREDIT, 50n],
    ]);
    expect(transaction!.postedAt!.seconds).toBeGreaterThan(0n);

    expect(await ledger.client.getBalance({ accountCode: "psp_receivable:JPY" })).toEqual(
      create(GetBalanceResponseSchema, {
        account: { code: "psp_receivable:JPY", type: AccountType.ASSET, currency: "JPY" },
        balance: money(6000, "JPY"),
        totalDebits: money(6000, "JPY"),
        totalCredits: money(0, "JPY"),
      }),
    );
    expect(await balance("seller_payable:books:JPY")).toBe(5700n);
    expect(await balance("platform_fee_revenue:JPY")).toBe(300n);
  });

  it("say NOT_FOUND for what does not exist", async () => {
    expect(await failure(ledger.client.getTransaction({ transactionId: "nope" }))).toEqual({
      code: Code.NotFound,
      message: 'transaction "nope" does not exist',
    });
    expect(await failure(ledger.client.getBalance({ accountCode: "nope:USD" }))).toEqual({
      code: Code.NotFound,
      message: 'account "nope:USD" does not exist',
    });
    expect(await failure(ledger.client.getBalance({ accountCode: "" }))).toEqual({
      code: Code.InvalidArgument,
      message: "account_code: is required",
    });
  });
});

describe("ListAccounts", () => {
  it("lists accounts with their balances by code, those of a prefix, a page at a time", async () => {
    await openAccounts(ledger, {
      "psp_receivable:CHF": AccountType.ASSET,
      "platform_fee_revenue:CHF": AccountType.REVENUE,
      "seller_payable:a:CHF": AccountType.LIABILITY,
      "seller_payable:b:CHF": AccountType.LIABILITY,
      "seller_payable:c:CHF": AccountType.LIABILITY,
    });
    await post(payIn("chf-1", "b", 2_000n, 50n, "CHF"));
    const codes: string[] = [];
    let pageToken = "";
    do {
      const page = await ledger.client.listAccounts({ codePrefix: "seller_payable:", pageSize: 2, pageToken });
      expect(page.accounts.length).toBeLessThanOrEqual(2);
      codes.push(...page.accounts.map((a) => a.account!.code));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(codes.filter((c) => c.endsWith(":CHF"))).toEqual([
      "seller_payable:a:CHF",
      "seller_payable:b:CHF",
      "seller_payable:c:CHF",
    ]);
    expect(codes.every((c) => c.startsWith("seller_payable:"))).toBe(true);

    const { accounts } = await ledger.client.listAccounts({ codePrefix: "seller_payable:b:CHF" });
    // What GetBalance answers, in ListAccounts' message.
    const { $typeName: _, ...asGetBalance } = await ledger.client.getBalance({ accountCode: "seller_payable:b:CHF" });
    expect(accounts).toEqual([create(AccountBalanceSchema, asGetBalance)]);
    expect(accounts[0]!.balance).toEqual(create(MoneySchema, money(1950, "CHF")));
    const all = await ledger.client.listAccounts({ pageSize: 500 });
    expect(all.accounts.map((a) => a.account!.code)).toEqual(
      expect.arrayContaining(["cash:EUR", "psp_receivable:CHF", "seller_payable:a:CHF"]),
    );
    expect(await failure(ledger.client.listAccounts({ pageSize: 501 }))).toMatchObject({
      code: Code.InvalidArgument,
    });
    expect(await failure(ledger.client.listAccounts({ pageToken: "nope" }))).toMatchObject({
      code: Code.InvalidArgument,
    });
  });
});

describe("ListEntries", () => {
  it("pages through an account's entries and the whole journal, oldest first, each entry once", async () => {
    await openAccounts(ledger, {
      "psp_receivable:GBP": AccountType.ASSET,
      "platform_fee_revenue:GBP": AccountType.REVENUE,
      "seller_payable:pages:GBP": AccountType.LIABILITY,
    });
    const ids = Array.from({ length: 23 }, (_, i) => `gbp-${String(i).padStart(2, "0")}`);
    for (const id of ids) await post(payIn(id, "pages", 1_000n, 30n, "GBP"));

    const listAll = async (accountCode: string) => {
      const entries: PostedEntry[] = [];
      let pageToken = "";
      do {
        const page = await ledger.client.listEntries({ accountCode, pageSize: 7, pageToken });
        expect(page.entries.length).toBeLessThanOrEqual(7);
        entries.push(...page.entries);
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      return entries;
    };
    // Entries appear once every database transaction older than them has finished, on the whole server.
    const account = await waitFor(
      () => listAll("psp_receivable:GBP"),
      (e) => e.length === ids.length,
      15_000,
      "all entries listed",
    );
    expect(account.map((e) => e.transactionId)).toEqual(ids);
    expect(account.every((e) => e.entry!.amount!.amountMinor === 1000n && e.entry!.direction === Direction.DEBIT)).toBe(
      true,
    );

    const journal = await listAll("");
    const keys = journal.map((e) => `${e.transactionId}/${e.entry!.accountCode}`);
    expect(new Set(keys).size).toBe(keys.length);
    const gbp = journal.filter((e) => e.entry!.amount!.currency === "GBP");
    expect(gbp.map((e) => e.transactionId)).toEqual(ids.flatMap((id) => [id, id, id]));
  });

  it("refuses an unknown account, a bad page size and a forged token", async () => {
    expect(await failure(ledger.client.listEntries({ accountCode: "nope:USD" }))).toEqual({
      code: Code.NotFound,
      message: 'account "nope:USD" does not exist',
    });
    expect(await failure(ledger.client.listEntries({ pageSize: 501 }))).toEqual({
      code: Code.InvalidArgument,
      message: "page_size: must be between 1 and 500 (0 means 100)",
    });
    const forged = Buffer.from(
      JSON.stringify({ xid: "1; drop table entries", transactionId: "x", position: "0" }),
    ).toString("base64url");
    expect((await failure(ledger.client.listEntries({ pageToken: forged }))).code).toBe(Code.InvalidArgument);
  });
});

describe("health", () => {
  it("answers SERVING for the ledger service", async () => {
    const health = healthClient(ledger.service.url, "ledger");
    expect((await health.check({ service: "ledger.v1.LedgerService" })).status).toBe(ServingStatus.SERVING);
  });
});
