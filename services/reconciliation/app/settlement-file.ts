import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import { invalidArgument } from "../../lib/errors.js";
import type { SettlementFile } from "./ports.js";

/** A file given by path: taken as the whole day. */
export async function localSettlementFile(path: string): Promise<SettlementFile> {
  const absolute = resolve(path);
  await access(absolute).catch(() => Promise.reject(invalidArgument("file_path", `cannot read "${absolute}"`)));
  return { path: absolute, source: absolute, release: async () => {} };
}

/** sha256 of the file, read as a stream. */
export async function checksumOf(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** The file's lines, one at a time, without their line ends. */
export function linesOf(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
}
