// Runs in the PSP's page inside the merchant's frame: posts the page's message (hosted-page.ts writes it into
// #psp-checkout-message) to the merchant page, whose origin the PSP checked against the payment's embed_origins.
(() => {
  "use strict";
  const element = document.getElementById("psp-checkout-message");
  if (element === null || window.parent === window) return;
  // Addressed to that origin, never "*": should the frame's parent be another page by now, the browser drops it.
  window.parent.postMessage(JSON.parse(element.dataset.message), element.dataset.parentOrigin);
})();
