import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpc, grpcJsClient, unary } from "../support/grpc-js.js";
import { waitFor } from "../support/wait.js";
import {
  credit,
  debit,
  failure,
  openAccounts,
  payIn,
  startLedgerUnderTest,
  type LedgerUnderTest,
} from "./ledger-test-service.js";

let ledger: LedgerUnderTest;

beforeAll(async () => {
  ledger = await startLedgerUnderTest();
  await openAccounts(ledger, {
    "psp_receivable:USD": "ASSET",
    "platform_fee_revenue:USD": "REVENUE",
    "seller_payable:books:USD": "LIABILITY",
    "seller_payable:games:USD": "LIABILITY",
    "cash:EUR": "ASSET",
    "sales:EUR": "REVENUE",
  });
});

afterAll(async () => {
  await ledger?.close();
});

const post = (request: object) => ledger.call("postTransaction", request);
const balance = async (accountCode: string) => (await ledger.call("getBalance", { accountCode })).balance.amountMinor;

describe("OpenAccount", () => {
  it("is idempotent, and refuses the same code with another type", async () => {
    const account = { code: "seller_payable:toys:USD", type: "ACCOUNT_TYPE_LIABILITY", currency: "USD" };
    expect(await ledger.call("openAccount", { account })).toEqual({ account });
    expect(await ledger.call("openAccount", { account })).toEqual({ account });
    expect(await failure(ledger.call("openAccount", { account: { ...account, type: "ACCOUNT_TYPE_ASSET" } }))).toEqual({
      code: grpc.status.ALREADY_EXISTS,
      details:
        'account "seller_payable:toys:USD" is already open as LIABILITY in USD; an account keeps its type and currency',
    });
  });

  it("names the field of an invalid account", async () => {
    expect(await failure(ledger.call("openAccount", {}))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: "account: is required",
    });
    expect(
      await failure(
        ledger.call("openAccount", { account: { code: "cash:EUR", type: "ACCOUNT_TYPE_ASSET", currency: "USD" } }),
      ),
    ).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'account.code: must end with ":USD", the account\'s currency, e.g. "psp_receivable:USD"',
    });
    expect(await failure(ledger.call("openAccount", { account: { code: "cash:USD", currency: "USD" } }))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: "account.type: is required (ASSET, LIABILITY, REVENUE or EXPENSE)",
    });
  });
});

describe("PostTransaction refuses, saying which field and why", () => {
  const good = payIn("refused", "books", 1_000n, 100n);
  const cases: [string, object, grpc.status, string][] = [
    [
      "fewer than 2 entries",
      { ...good, entries: [debit("psp_receivable:USD", 100)] },
      grpc.status.INVALID_ARGUMENT,
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
      grpc.status.INVALID_ARGUMENT,
      "entries[2].amount.amount_minor: must be a positive integer number of minor units, got 0",
    ],
    [
      "a negative amount",
      { ...good, entries: [debit("psp_receivable:USD", 100), credit("seller_payable:books:USD", -100)] },
      grpc.status.INVALID_ARGUMENT,
      "entries[1].amount.amount_minor: must be a positive integer number of minor units, got -100",
    ],
    [
      "a missing direction",
      {
        ...good,
        entries: [
          debit("psp_receivable:USD", 100),
          { ...credit("seller_payable:books:USD", 100), direction: "DIRECTION_UNSPECIFIED" },
        ],
      },
      grpc.status.INVALID_ARGUMENT,
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
      grpc.status.INVALID_ARGUMENT,
      "entries: do not balance in USD: debits 10.00 USD, credits 9.99 USD; debits must equal credits in every currency",
    ],
    [
      "a balance across currencies only",
      { ...good, entries: [debit("psp_receivable:USD", 100), credit("sales:EUR", 100, "EUR")] },
      grpc.status.INVALID_ARGUMENT,
      "entries: do not balance in USD: debits 1.00 USD, credits 0.00 USD; debits must equal credits in every currency",
    ],
    [
      "a missing transaction id",
      { ...good, transactionId: "" },
      grpc.status.INVALID_ARGUMENT,
      "transaction_id: is required",
    ],
    [
      "an unknown account",
      { ...good, entries: [debit("psp_receivable:USD", 100), credit("seller_payable:ghost:USD", 100)] },
      grpc.status.NOT_FOUND,
      'entries[1].account_code: account "seller_payable:ghost:USD" does not exist; open it first',
    ],
    [
      "an account of another currency",
      { ...good, entries: [debit("psp_receivable:USD", 100, "EUR"), credit("sales:EUR", 100, "EUR")] },
      grpc.status.FAILED_PRECONDITION,
      'entries[0].amount.currency: account "psp_receivable:USD" holds USD, not EUR',
    ],
  ];

  it.each(cases)("%s", async (_, request, code, details) => {
    expect(await failure(post(request))).toEqual({ code, details });
    expect((await failure(ledger.call("getTransaction", { transactionId: "refused" }))).code).toBe(
      grpc.status.NOT_FOUND,
    );
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
    expect(await ledger.call("getTransaction", { transactionId: "sale:idem-1" })).toEqual(first);
  });

  it("refuses other content under an id already posted", async () => {
    await post(payIn("sale:idem-2", "books", 1_000n, 10n));
    const other = await failure(post(payIn("sale:idem-2", "books", 1_000n, 20n)));
    expect(other.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(other.details).toMatch(
      /^transaction_id "sale:idem-2" was already posted at .+ with different content; retry with the identical transaction, or use a new transaction_id$/,
    );
  });
});

describe("GetTransaction and GetBalance", () => {
  it("return the posted transaction, and balances in each account's normal direction", async () => {
    await openAccounts(ledger, {
      "psp_receivable:JPY": "ASSET",
      "platform_fee_revenue:JPY": "REVENUE",
      "seller_payable:books:JPY": "LIABILITY",
    });
    await post(payIn("jpy-1", "books", 5_000n, 250n, "JPY"));
    await post(payIn("jpy-2", "books", 1_000n, 50n, "JPY"));
    const { transaction } = await ledger.call("getTransaction", { transactionId: "jpy-2" });
    expect(transaction.entries.map((e: any) => [e.accountCode, e.direction, e.amount.amountMinor])).toEqual([
      ["psp_receivable:JPY", "DIRECTION_DEBIT", "1000"],
      ["seller_payable:books:JPY", "DIRECTION_CREDIT", "950"],
      ["platform_fee_revenue:JPY", "DIRECTION_CREDIT", "50"],
    ]);
    expect(Number(transaction.postedAt.seconds)).toBeGreaterThan(0);

    expect(await ledger.call("getBalance", { accountCode: "psp_receivable:JPY" })).toEqual({
      account: { code: "psp_receivable:JPY", type: "ACCOUNT_TYPE_ASSET", currency: "JPY" },
      balance: { amountMinor: "6000", currency: "JPY" },
      totalDebits: { amountMinor: "6000", currency: "JPY" },
      totalCredits: { amountMinor: "0", currency: "JPY" },
    });
    expect(await balance("seller_payable:books:JPY")).toBe("5700");
    expect(await balance("platform_fee_revenue:JPY")).toBe("300");
  });

  it("say NOT_FOUND for what does not exist", async () => {
    expect(await failure(ledger.call("getTransaction", { transactionId: "nope" }))).toEqual({
      code: grpc.status.NOT_FOUND,
      details: 'transaction "nope" does not exist',
    });
    expect(await failure(ledger.call("getBalance", { accountCode: "nope:USD" }))).toEqual({
      code: grpc.status.NOT_FOUND,
      details: 'account "nope:USD" does not exist',
    });
    expect(await failure(ledger.call("getBalance", { accountCode: "" }))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: "account_code: is required",
    });
  });
});

describe("ListAccounts", () => {
  it("lists accounts with their balances by code, those of a prefix, a page at a time", async () => {
    await openAccounts(ledger, {
      "psp_receivable:CHF": "ASSET",
      "platform_fee_revenue:CHF": "REVENUE",
      "seller_payable:a:CHF": "LIABILITY",
      "seller_payable:b:CHF": "LIABILITY",
      "seller_payable:c:CHF": "LIABILITY",
    });
    await post(payIn("chf-1", "b", 2_000n, 50n, "CHF"));
    const codes: string[] = [];
    let pageToken = "";
    do {
      const page = await ledger.call("listAccounts", { codePrefix: "seller_payable:", pageSize: 2, pageToken });
      expect(page.accounts.length).toBeLessThanOrEqual(2);
      codes.push(...page.accounts.map((a: any) => a.account.code));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(codes.filter((c) => c.endsWith(":CHF"))).toEqual([
      "seller_payable:a:CHF",
      "seller_payable:b:CHF",
      "seller_payable:c:CHF",
    ]);
    expect(codes.every((c) => c.startsWith("seller_payable:"))).toBe(true);

    const { accounts } = await ledger.call("listAccounts", { codePrefix: "seller_payable:b:CHF" });
    expect(accounts).toEqual([await ledger.call("getBalance", { accountCode: "seller_payable:b:CHF" })]);
    expect(accounts[0].balance).toEqual({ amountMinor: "1950", currency: "CHF" });
    const all = await ledger.call("listAccounts", { pageSize: 500 });
    expect(all.accounts.map((a: any) => a.account.code)).toEqual(
      expect.arrayContaining(["cash:EUR", "psp_receivable:CHF", "seller_payable:a:CHF"]),
    );
    expect(await failure(ledger.call("listAccounts", { pageSize: 501 }))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    expect(await failure(ledger.call("listAccounts", { pageToken: "nope" }))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });
});

describe("ListEntries", () => {
  it("pages through an account's entries and the whole journal, oldest first, each entry once", async () => {
    await openAccounts(ledger, {
      "psp_receivable:GBP": "ASSET",
      "platform_fee_revenue:GBP": "REVENUE",
      "seller_payable:pages:GBP": "LIABILITY",
    });
    const ids = Array.from({ length: 23 }, (_, i) => `gbp-${String(i).padStart(2, "0")}`);
    for (const id of ids) await post(payIn(id, "pages", 1_000n, 30n, "GBP"));

    const listAll = async (accountCode: string) => {
      const entries: any[] = [];
      let pageToken = "";
      do {
        const page = await ledger.call("listEntries", { accountCode, pageSize: 7, pageToken });
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
    expect(account.every((e) => e.entry.amount.amountMinor === "1000" && e.entry.direction === "DIRECTION_DEBIT")).toBe(
      true,
    );

    const journal = await listAll("");
    const keys = journal.map((e) => `${e.transactionId}/${e.entry.accountCode}`);
    expect(new Set(keys).size).toBe(keys.length);
    const gbp = journal.filter((e) => e.entry.amount.currency === "GBP");
    expect(gbp.map((e) => e.transactionId)).toEqual(ids.flatMap((id) => [id, id, id]));
  });

  it("refuses an unknown account, a bad page size and a forged token", async () => {
    expect(await failure(ledger.call("listEntries", { accountCode: "nope:USD" }))).toEqual({
      code: grpc.status.NOT_FOUND,
      details: 'account "nope:USD" does not exist',
    });
    expect(await failure(ledger.call("listEntries", { pageSize: 501 }))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: "page_size: must be between 1 and 500 (0 means 100)",
    });
    const forged = Buffer.from(
      JSON.stringify({ xid: "1; drop table entries", transactionId: "x", position: "0" }),
    ).toString("base64url");
    expect((await failure(ledger.call("listEntries", { pageToken: forged }))).code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe("health", () => {
  it("answers SERVING for the ledger service", async () => {
    const health = grpcJsClient("grpc/health/v1/health.proto", "grpc.health.v1.Health", ledger.service.url, "probe");
    try {
      expect(await unary(health, "check", { service: "ledger.v1.LedgerService" })).toEqual({ status: "SERVING" });
    } finally {
      health.close();
    }
  });
});
