import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";
import { failedPrecondition, notFound, unavailable } from "../../lib/errors.js";
import { retry } from "../../lib/retry.js";
import type { PspPort, SettlementFile } from "../app/ports.js";

export interface PspClientConfig {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

/** No answer, 429 or 5xx: worth another try. */
class TransientPspError extends Error {}

/** The PSP's REST API: settlement files and payments. GETs only, each retried with backoff on transient failures. */
export class PspHttpClient implements PspPort {
  constructor(private readonly config: PspClientConfig) {}

  async settlementFile(date: string): Promise<SettlementFile> {
    const path = `/v1/settlements/${encodeURIComponent(date)}`;
    const settlement = await this.get(path, (res) => res.json() as Promise<{ created: number }>);
    if (settlement === undefined) throw notFound(`the PSP has no settlement file for ${date} (yet)`);
    const dir = await mkdtemp(join(tmpdir(), "settlement-"));
    const file = join(dir, `settlement-${date}.csv`);
    const release = () => rm(dir, { recursive: true, force: true });
    try {
      const written = await this.get(`${path}/file`, async (res) => {
        await pipeline(Readable.fromWeb(res.body as ReadableStream), createWriteStream(file));
        return true;
      });
      if (written === undefined) throw notFound(`the PSP has no settlement file for ${date} (yet)`);
    } catch (err) {
      await release();
      throw err;
    }
    // `created` is in whole seconds: the cut happened before the next one.
    return { read: () => createReadStream(file, { highWaterMark: 1 << 20 }), source: new URL(`${path}/file`, this.config.baseUrl).toString(), cutAt: new Date((settlement.created + 1) * 1000), release };
  }

  async payment(pspPaymentId: string): Promise<{ status: string; reference: string } | undefined> {
    return this.get(`/v1/payments/${encodeURIComponent(pspPaymentId)}`, (res) => res.json() as Promise<{ status: string; reference: string }>);
  }

  /** GET `path` and read the answer; undefined on 404. */
  private async get<T>(path: string, read: (res: Response) => Promise<T>): Promise<T | undefined> {
    const attempt = async () => {
      const res = await fetch(new URL(path, this.config.baseUrl), {
        headers: { authorization: `Bearer ${this.config.apiKey}` },
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 60_000),
      }).catch((err: Error) => Promise.reject(new TransientPspError(`GET ${path}: ${err.message}`)));
      if (res.status === 404) return undefined;
      if (res.status === 429 || res.status >= 500) throw new TransientPspError(`GET ${path}: HTTP ${res.status}`);
      if (res.status === 401 || res.status === 403) throw failedPrecondition(`the PSP refused our credentials for GET ${path} (HTTP ${res.status}): check the PSP API key`);
      if (!res.ok) throw new Error(`the PSP answered GET ${path} with HTTP ${res.status}: ${await res.text()}`);
      return read(res);
    };
    try {
      return await retry(attempt, (err) => err instanceof TransientPspError);
    } catch (err) {
      if (err instanceof TransientPspError) throw unavailable(`the PSP is not answering (${err.message}); retry later`);
      throw err;
    }
  }
}
