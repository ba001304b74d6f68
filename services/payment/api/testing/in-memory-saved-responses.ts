import type { SavedResponse, SavedResponses } from "../create-payment-replay.js";

/** SavedResponses in memory, for unit tests; a response expires `ttlMs` after it was saved, by Date.now(). */
export class InMemorySavedResponses implements SavedResponses {
  private readonly saved = new Map<string, Omit<SavedResponse, "expired">>();

  constructor(readonly ttlMs: number) {}

  async recall(key: string): Promise<SavedResponse | undefined> {
    const saved = this.saved.get(key);
    return saved && { ...saved, expired: saved.createdAt.getTime() + this.ttlMs <= Date.now() };
  }

  async remember(key: string, fingerprint: string, paymentId: string, body: Uint8Array): Promise<Uint8Array> {
    const first = this.saved.get(key);
    if (first) return first.body;
    this.saved.set(key, { fingerprint, paymentId, body, createdAt: new Date() });
    return body;
  }
}
