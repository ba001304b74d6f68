import { describe, expect, it } from "vitest";
import {
  bankPlatform,
  payoutsInTransit,
  platformFeeRevenue,
  pspFeeExpense,
  pspReceivable,
  sellerOfPayable,
  sellerPayable,
} from "./accounts.js";

describe("chart of accounts", () => {
  it("puts the currency in every code", () => {
    expect(pspReceivable("USD")).toEqual({ code: "psp_receivable:USD", type: "ASSET", currency: "USD" });
    expect(platformFeeRevenue("EUR")).toEqual({ code: "platform_fee_revenue:EUR", type: "REVENUE", currency: "EUR" });
    expect(sellerPayable("seller-42", "USD")).toEqual({
      code: "seller_payable:seller-42:USD",
      type: "LIABILITY",
      currency: "USD",
    });
    expect(bankPlatform("USD")).toEqual({ code: "bank:platform:USD", type: "ASSET", currency: "USD" });
    expect(pspFeeExpense("JPY")).toEqual({ code: "psp_fee_expense:JPY", type: "EXPENSE", currency: "JPY" });
    expect(payoutsInTransit("KWD")).toEqual({ code: "payouts_in_transit:KWD", type: "LIABILITY", currency: "KWD" });
  });

  it("parses a seller_payable code back, seller ids with ':' included", () => {
    expect(sellerOfPayable("seller_payable:seller-42:USD")).toEqual({ sellerId: "seller-42", currency: "USD" });
    expect(sellerOfPayable(sellerPayable("shop:eu:7", "EUR").code)).toEqual({ sellerId: "shop:eu:7", currency: "EUR" });
    expect(sellerOfPayable("psp_receivable:USD")).toBeUndefined();
    expect(sellerOfPayable("seller_payable::USD")).toBeUndefined();
    expect(sellerOfPayable("seller_payable:USD")).toBeUndefined();
  });
});
