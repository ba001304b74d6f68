export interface FaultRates {
  /** Probability that `POST /v1/payments` answers 500 before doing anything. */
  failBeforeCommit: number;
  /** Probability that `POST /v1/payments` answers 500 after the payment was created and its idempotent result saved. */
  failAfterCommit: number;
}

/** Injected failures for `POST /v1/payments`, set through the test helper. */
export class Faults {
  private rates: FaultRates = { failBeforeCommit: 0, failAfterCommit: 0 };

  set(rates: FaultRates): void {
    this.rates = rates;
  }

  get(): FaultRates {
    return this.rates;
  }

  failBeforeCommit(): boolean {
    return Math.random() < this.rates.failBeforeCommit;
  }

  failAfterCommit(): boolean {
    return Math.random() < this.rates.failAfterCommit;
  }
}
