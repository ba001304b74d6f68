// The demo shop's checkout page: mounts the PSP's card form and shows each message of the frame as it arrives.
(() => {
  "use strict";
  const checkout = document.getElementById("checkout");
  const outcome = document.getElementById("outcome");
  const messages = document.getElementById("messages");
  const SAYS = {
    three_d_secure: "Your bank asks you to confirm the payment.",
    pending: "The payment is being reviewed.",
    succeeded: "Thank you: the payment went through.",
    failed: "The payment failed.",
    canceled: "The payment was canceled.",
  };
  window.PspCheckout.mount(checkout, {
    url: checkout.dataset.hostedPageUrl,
    onMessage(message) {
      const item = document.createElement("li");
      item.textContent = JSON.stringify(message);
      messages.append(item);
      outcome.textContent = [SAYS[message.type], message.failure_message].filter(Boolean).join(" ");
      outcome.dataset.type = message.type;
    },
  });
})();
