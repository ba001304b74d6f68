import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { pipeline as pipelineCallback, Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { failedPrecondition } from "../../lib/errors.js";
import type { SettlementFile } from "./ports.js";

export interface SettlementFileLimits {
  maxFileBytes: number;
  maxLineBytes: number;
}

export const defaultSettlementFileLimits: SettlementFileLimits = {
  maxFileBytes: 256 * 2 ** 20,
  maxLineBytes: 64 * 2 ** 10,
};

/**
 * Passes a file through, refusing it once it is larger than the limits allow. readline holds a whole line in memory
 * whatever its length, so an overlong line is stopped here, before it reaches readline.
 */
function withinLimits({ maxFileBytes, maxLineBytes }: SettlementFileLimits): Transform {
  let bytes = 0;
  let line = 1;
  let lineBytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxFileBytes)
        return done(
          failedPrecondition(`the settlement file is larger than ${maxFileBytes} bytes (SETTLEMENT_MAX_FILE_BYTES)`),
        );
      for (let from = 0; ; ) {
        const end = chunk.indexOf(0x0a, from);
        lineBytes += (end === -1 ? chunk.length : end) - from;
        if (lineBytes > maxLineBytes) {
          return done(
            failedPrecondition(
              `line ${line} of the settlement file is longer than ${maxLineBytes} bytes (SETTLEMENT_MAX_LINE_BYTES): it is not a settlement file, or a damaged one`,
            ),
          );
        }
        if (end === -1) break;
        line++;
        lineBytes = 0;
        from = end + 1;
      }
      done(null, chunk);
    },
  });
}

/** sha256 of the file, read as a stream; a file beyond the limits is refused here, before anything of it is reconciled. */
export async function checksumOf(file: SettlementFile, limits: SettlementFileLimits): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(file.read(), withinLimits(limits), hash);
  return hash.digest("hex");
}

/** The file's lines, one at a time, without their line ends; the limits hold again, should the file have changed since. */
export function linesOf(file: SettlementFile, limits: SettlementFileLimits): AsyncIterable<string> {
  const input: Readable = pipelineCallback(file.read(), withinLimits(limits), () => {});
  return createInterface({ input, crlfDelay: Infinity });
}
