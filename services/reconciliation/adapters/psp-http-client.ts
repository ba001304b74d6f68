import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";
import { failedPrecondition, notFound } from "../../lib/errors.js";
import { callPsp, PspRejection, type PspHttpConfig } from "../../lib/psp-http.js";
import type { PspPort, SettlementFile } from "../app/ports.js";

/** The PSP's REST API: settlement files and payments. GETs only, each retried with backoff on transient failures. */
export class PspHttpClient implements PspPort {
  constructor(private readonly config: PspHttpConfig) {}

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
    return {
      read: () => createReadStream(file, { highWaterMark: 1 << 20 }),
      source: new URL(`${path}/file`, this.config.baseUrl).toString(),
      cutAt: new Date((settlement.created + 1) * 1000),
      release,
    };
  }

  async payment(pspPaymentId: string): Promise<{ status: string; reference: string } | undefined> {
    return this.get(
      `/v1/payments/${encodeURIComponent(pspPaymentId)}`,
      (res) => res.json() as Promise<{ status: string; reference: string }>,
    );
  }

  /** GET `path` and read the answer; undefined on 404. */
  private async get<T>(path: string, read: (res: Response) => Promise<T>): Promise<T | undefined> {
    try {
      return await callPsp(this.config, { method: "GET", path }, read, 60_000);
    } catch (err) {
      if (!(err instanceof PspRejection)) throw err;
      if (err.kind === "not_found") return undefined;
      if (err.kind === "unauthorized")
        throw failedPrecondition(
          `the PSP refused our credentials for GET ${path} (HTTP ${err.status}): check the PSP API key`,
        );
      throw new Error(`the PSP answered GET ${path} with HTTP ${err.status}: ${err.body}`);
    }
  }
}
