import { testTls } from "./support/tls.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { beforeAll, describe, expect, it } from "vitest";
import { pageTokenKey, pageTokens, randomPageTokenSecret } from "../services/lib/page-token.js";
import { startLedgerService } from "../services/ledger/service.js";
import { SETTLEMENT_HEADER } from "../services/reconciliation/domain/settlement-line.js";
import { clientOf } from "./ledger/platform-books.js";
import { reconciliation } from "./reconciliation/reconciliation-calls.js";
import { payCheckout, sampleCheckout } from "./support/checkouts.js";
import { failure } from "./support/clients.js";
import { usePlatform } from "./support/use-platform.js";
import { waitFor } from "./support/wait.js";

/** Every list RPC takes back only the page tokens it issued: anything else is INVALID_ARGUMENT, never INTERNAL. */
const under = usePlatform();
const REFUSED = {
  code: Code.InvalidArgument,
  message: "page_token: is not one this list issued; start again without it",
};
const started = new Date();

type Page = { nextPageToken: string };
interface List {
  name: string;
  page(pageToken: string): Promise<Page>;
}

const lists: List[] = [
  {
    name: "ListPayments",
    page: (pageToken) => clientOf(under.platform, "payment").listPayments({ pageSize: 1, pageToken }),
  },
  {
    name: "ListAccounts",
    page: (pageToken) => clientOf(under.platform, "ledger").listAccounts({ pageSize: 1, pageToken }),
  },
  {
    name: "ListEntries",
    page: (pageToken) => clientOf(under.platform, "ledger").listEntries({ pageSize: 1, pageToken }),
  },
  {
    name: "ListTransactionIds",
    page: (pageToken) =>
      clientOf(under.platform, "ledger").listTransactionIds({
        postedFrom: timestampFromDate(started),
        postedBefore: timestampFromDate(new Date(Date.now() + 1_000)),
        idPrefixes: ["payin:"],
        pageSize: 1,
        pageToken,
      }),
  },
  {
    name: "ListBalances",
    page: (pageToken) => clientOf(under.platform, "wallet").listBalances({ pageSize: 1, pageToken }),
  },
  {
    name: "ListPayouts",
    page: (pageToken) =>
      clientOf(under.platform, "wallet").listPayouts({ sellerId: "seller-a", pageSize: 1, pageToken }),
  },
  { name: "ListRuns", page: (pageToken) => reconciliation(under).listRuns({ pageSize: 1, pageToken }) },
  { name: "ListExceptions", page: (pageToken) => reconciliation(under).listExceptions({ pageSize: 1, pageToken }) },
];

/** A token each list issued, by name. */
const issued = new Map<string, string>();

/** Two of everything each list shows, so that a page of one has a next. */
beforeAll(async () => {
  for (let i = 0; i < 2; i++) await payCheckout(under.client("payment", "marketplace"), sampleCheckout());
  await waitFor(
    () =>
      clientOf(under.platform, "ledger").listTransactionIds({
        postedFrom: timestampFromDate(started),
        postedBefore: timestampFromDate(new Date(Date.now() + 1_000)),
        idPrefixes: ["payin:"],
      }),
    (r) => r.transactionIds.length === 2,
    15_000,
    "both pay-ins booked",
  );
  await waitFor(
    () => clientOf(under.platform, "wallet").getBalance({ sellerId: "seller-a", currency: "USD" }),
    (r) => r.balance!.available!.amountMinor > 200n,
    15_000,
    "seller-a's balance",
  );
  await clientOf(under.platform, "wallet").setPayoutAccount({ sellerId: "seller-a", destination: "ba_seller_a" });
  for (const payoutId of ["po-token-1", "po-token-2"]) {
    await clientOf(under.platform, "wallet").requestPayout({
      payoutId,
      sellerId: "seller-a",
      amount: { amountMinor: 100n, currency: "USD" },
    });
  }
  for (const date of ["2024-06-01", "2024-06-02"]) {
    const lines = ["pi_ghost_1,pay_ghost_1,charge,500,15,485,USD", "pi_ghost_2,pay_ghost_2,charge,700,21,679,USD"].map(
      (l) => `${l},${date}T10:00:00.000Z`,
    );
    writeFileSync(
      join(under.platform.settlementDir, `settlement-${date}.csv`),
      [SETTLEMENT_HEADER, ...lines, ""].join("\n"),
    );
    await reconciliation(under).runReconciliation({ date, filePath: `settlement-${date}.csv` });
  }
  for (const list of lists) {
    const { nextPageToken } = await list.page("");
    if (nextPageToken === "") throw new Error(`${list.name} issued no page token`);
    issued.set(list.name, nextPageToken);
  }
}, 90_000);

/** The token with one character of its cursor (before the ".") or of its MAC (after it) changed. */
function tampered(token: string, part: 0 | 1): string {
  const [cursor, mac] = token.split(".") as [string, string];
  const flip = (text: string) => text.slice(0, 2) + (text[2] === "A" ? "B" : "A") + text.slice(3);
  return part === 0 ? `${flip(cursor)}.${mac}` : `${cursor}.${flip(mac)}`;
}

describe.each(lists.map((list, i) => ({ ...list, other: lists[(i + 1) % lists.length]! })))("$name", (list) => {
  it("takes its own token", async () => {
    await expect(list.page(issued.get(list.name)!)).resolves.toBeDefined();
  });

  it("refuses garbage, a tampered cursor or MAC, an oversized token and one from another list", async () => {
    const own = issued.get(list.name)!;
    for (const token of [
      "garbage!",
      "nope",
      ".",
      "..",
      own.split(".")[0]!,
      tampered(own, 0),
      tampered(own, 1),
      `${own}.${own}`,
      "A".repeat(900),
      issued.get(list.other.name)!,
    ]) {
      expect(await failure(list.page(token))).toEqual(REFUSED);
    }
    // Longer than any string field may be: refused by the server's input bounds before the list sees it.
    expect(await failure(list.page("A".repeat(100_000)))).toEqual({
      code: Code.InvalidArgument,
      message: "page_token: is 100000 characters long; at most 1000 are allowed",
    });
  });
});

describe("tokens made elsewhere", () => {
  it("a ListPayments cursor that is not a number, unsigned as the old tokens were, is INVALID_ARGUMENT (it was INTERNAL)", async () => {
    const unsigned = Buffer.from(JSON.stringify({ seq: "abc" })).toString("base64url");
    expect(await failure(clientOf(under.platform, "payment").listPayments({ pageToken: unsigned }))).toEqual(REFUSED);
  });

  it("a well-formed token signed with another secret, or for another list of the same shape, is refused", async () => {
    const elsewhere = pageTokens(pageTokenKey(randomPageTokenSecret()), "payment.v1.PaymentService/ListPayments", {
      seq: "bigint",
    }).encode({ seq: 5n });
    expect(await failure(clientOf(under.platform, "payment").listPayments({ pageToken: elsewhere }))).toEqual(REFUSED);
    // ListRuns and ListExceptions both page by id, ListPayments and ListPayouts by seq: their tokens still do not mix.
    expect(await failure(reconciliation(under).listExceptions({ pageToken: issued.get("ListRuns")! }))).toEqual(
      REFUSED,
    );
    expect(
      await failure(
        clientOf(under.platform, "wallet").listPayouts({
          sellerId: "seller-a",
          pageToken: issued.get("ListPayments")!,
        }),
      ),
    ).toEqual(REFUSED);
  });

  it("a service refuses to start with a secret shorter than 32 characters", async () => {
    await expect(
      startLedgerService({
        tls: testTls("ledger"),
        databaseUrl: under.platform.database.url,
        pageTokenSecret: "x".repeat(31),
      }),
    ).rejects.toThrow("the page token secret (PAGE_TOKEN_SECRET) must be at least 32 characters");
  });
});
