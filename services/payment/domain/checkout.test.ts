import { describe, expect, it } from "vitest";
import { returnUrlHosts, validateCheckout, type CheckoutInput } from "./checkout.js";

const checkout = (returnUrl: string): CheckoutInput => ({
  captureMethod: "AUTOMATIC",
  checkoutId: "cart-1",
  buyerId: "buyer-1",
  buyerCountry: "",
  returnUrl,
  orders: [{ orderId: "o1", sellerId: "s1", amount: { amountMinor: 100n, currency: "USD" } }],
});

describe("return_url and RETURN_URL_HOSTS", () => {
  const allowed = returnUrlHosts(["shop.example", "Checkout.Shop.Example", "bücher.example"]);

  it("accepts any http(s) host when no list is configured", () => {
    expect(validateCheckout(checkout("https://anywhere.example/back")).returnUrl).toBe("https://anywhere.example/back");
  });

  it("accepts a listed host, however its case or port is written", () => {
    for (const url of ["https://shop.example/orders/1", "http://SHOP.example:8443/x", "https://checkout.shop.example/", "https://xn--bcher-kva.example/", "https://bücher.example/"]) {
      expect(validateCheckout(checkout(url), allowed).returnUrl, url).toBe(url);
    }
    expect(validateCheckout(checkout(""), allowed).returnUrl).toBe("");
  });

  it("refuses another host, naming it and the setting: look-alikes, subdomains, user-info tricks", () => {
    const cases: [string, string][] = [
      ["https://evil.example/", "evil.example"],
      ["https://shop.example.evil.example/", "shop.example.evil.example"],
      ["https://evil.shop.example/", "evil.shop.example"],
      ["https://shop.example@evil.example/", "evil.example"],
      ["https://evil.example\\@shop.example/", "evil.example"],
      ["https://shop.example./", "shop.example."],
    ];
    for (const [url, host] of cases) {
      expect(() => validateCheckout(checkout(url), allowed), url).toThrow(`return_url: host "${host}" is not one buyers may be sent back to (RETURN_URL_HOSTS: `);
    }
  });

  it("fails at start-up on an entry that is not a bare host", () => {
    for (const name of ["https://shop.example", "shop.example/path", "shop.example:443", "user@shop.example", ""]) {
      expect(() => returnUrlHosts([name]), name).toThrow(/RETURN_URL_HOSTS: .* is not a host name/);
    }
  });
});
