import { describe, expect, it } from "vitest";
import { checkoutFingerprint, returnUrlHosts, validateCheckout, type CheckoutInput } from "./checkout.js";

const checkout = (returnUrl: string, embedOrigins: string[] = []): CheckoutInput => ({
  captureMethod: "AUTOMATIC",
  checkoutId: "cart-1",
  buyerId: "buyer-1",
  buyerCountry: "",
  returnUrl,
  embedOrigins,
  orders: [{ orderId: "o1", sellerId: "s1", amount: { amountMinor: 100n, currency: "USD" } }],
});

describe("return_url and RETURN_URL_HOSTS", () => {
  const allowed = returnUrlHosts(["shop.example", "Checkout.Shop.Example", "bücher.example"]);

  it("accepts any http(s) host when no list is configured", () => {
    expect(validateCheckout(checkout("https://anywhere.example/back")).returnUrl).toBe("https://anywhere.example/back");
  });

  it("accepts a listed host, however its case or port is written", () => {
    for (const url of [
      "https://shop.example/orders/1",
      "http://SHOP.example:8443/x",
      "https://checkout.shop.example/",
      "https://xn--bcher-kva.example/",
      "https://bücher.example/",
    ]) {
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
      expect(() => validateCheckout(checkout(url), allowed), url).toThrow(
        `return_url: host "${host}" is not one buyers may be sent back to (RETURN_URL_HOSTS: `,
      );
    }
  });

  it("fails at start-up on an entry that is not a bare host", () => {
    for (const name of ["https://shop.example", "shop.example/path", "shop.example:443", "user@shop.example", ""]) {
      expect(() => returnUrlHosts([name]), name).toThrow(/RETURN_URL_HOSTS: .* is not a host name/);
    }
  });
});

describe("embed_origins", () => {
  const embedded = (origins: string[]) => validateCheckout(checkout("", origins)).embedOrigins;

  it("takes https origins, and plain http only on loopback names", () => {
    const origins = [
      "https://shop.example",
      "https://checkout.shop.example:8443",
      "http://localhost:3000",
      "http://shop.localhost:8080",
      "http://127.0.0.1:4000",
    ];
    expect(embedded(origins)).toEqual(origins);
    expect(embedded(Array.from({ length: 10 }, (_, i) => `https://shop${i}.example`))).toHaveLength(10);
  });

  it("refuses what is not exactly an origin, naming the element and why", () => {
    const cases: [string, string][] = [
      ["https://shop.example/", "is not an origin"],
      ["https://shop.example/pay", "is not an origin"],
      ["https://Shop.example", "is not an origin"],
      ["https://shop.example:443", "is not an origin"],
      ["https://user@shop.example", "is not an origin"],
      ["https://shop.example; script-src *", "is not an origin"],
      ["https://*.shop.example", "is not an origin"],
      ["'self'", "is not an origin"],
      ["", "is not an origin"],
      ["http://shop.example", "must use https (http only for localhost and 127.0.0.1)"],
      ["http://127.0.0.2", "must use https"],
      [`https://${"a".repeat(250)}.example`, "must be at most 255 characters, got 266"],
    ];
    for (const [origin, problem] of cases) {
      expect(() => embedded(["https://ok.example", origin]), origin).toThrow(
        new RegExp(`^embed_origins\\[1\\]: .*${problem.replace(/[()]/g, "\\$&")}`),
      );
    }
  });

  it("refuses more than 10, and the same origin twice", () => {
    expect(() => embedded(Array.from({ length: 11 }, (_, i) => `https://shop${i}.example`))).toThrow(
      "embed_origins: must list at most 10 origins, got 11",
    );
    expect(() => embedded(["https://shop.example", "https://shop.example"])).toThrow(
      'embed_origins[1]: "https://shop.example" appears more than once',
    );
  });

  it("are part of the request's fingerprint: the same checkout_id with other origins is another request", () => {
    const plain = validateCheckout(checkout("https://shop.example/back"));
    const framed = validateCheckout(checkout("https://shop.example/back", ["https://shop.example"]));
    expect(checkoutFingerprint(framed)).not.toBe(checkoutFingerprint(plain));
    expect(checkoutFingerprint(framed)).not.toBe(
      checkoutFingerprint({ ...framed, embedOrigins: ["https://other.example"] }),
    );
  });
});
