// The PSP simulator's checkout SDK: mounts a payment's hosted page in an iframe on the merchant's page and hands
// the merchant the frame's messages (see docs/architecture.md, "Embeddable checkout"). Load it with a classic script tag from the
// simulator, <script src="<PSP>/sdk/v1/checkout.js"></script>; it defines window.PspCheckout.
(() => {
  "use strict";
  // The PSP's origin is where this script came from: only frames and messages of that origin are trusted.
  const pspOrigin = new URL(document.currentScript.src).origin;

  /**
   * Shows the payment's card form in `target` (an element or a selector), replacing what it holds.
   * options.url: the payment's hosted_page_url; options.onMessage(message): called with each message of the frame;
   * options.height: the frame's CSS height (default "520px"); options.title: its accessible title (default "Payment").
   * Returns { frame, unmount() }.
   */
  function mount(target, options) {
    const container = typeof target === "string" ? document.querySelector(target) : target;
    if (!(container instanceof Element)) throw new TypeError(`PspCheckout.mount: no element ${String(target)}`);
    if (typeof options?.url !== "string" || !URL.canParse(options.url))
      throw new TypeError("PspCheckout.mount: options.url must be the payment's hosted_page_url");
    const url = new URL(options.url);
    if (url.origin !== pspOrigin)
      throw new TypeError(`PspCheckout.mount: options.url must be a page of ${pspOrigin}, where this script came from`);
    // The PSP frames the page only if this origin is one of the payment's embed_origins, and posts only to it.
    url.searchParams.set("parent_origin", window.location.origin);
    const onMessage = typeof options.onMessage === "function" ? options.onMessage : () => {};

    const frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = options.title ?? "Payment";
    frame.style.cssText = `border: 0; width: 100%; height: ${options.height ?? "520px"}`;
    const receive = (event) => {
      // Only this frame's window, and only while it shows a page of the PSP: any other window's message is ignored.
      if (event.source !== frame.contentWindow || event.origin !== pspOrigin) return;
      const message = event.data;
      if (message === null || typeof message !== "object" || message.source !== "psp-checkout" || message.version !== 1)
        return;
      onMessage(message);
    };
    window.addEventListener("message", receive);
    container.replaceChildren(frame);
    return {
      frame,
      unmount() {
        window.removeEventListener("message", receive);
        frame.remove();
      },
    };
  }

  window.PspCheckout = Object.freeze({ mount });
})();
