import { constants, type Stats } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { DomainError, failedPrecondition, invalidArgument, notFound } from "../../lib/errors.js";
import type { SettlementFile, SettlementFiles } from "../app/ports.js";

const MAX_NAME_LENGTH = 1024;

const FIELD = "file_path";

/** Within `root` and not `root` itself; both already resolved. */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a named pipe";
  if (info.isSocket()) return "a socket";
  return "a device";
}

/** What the file system said, as the caller's problem: nothing about a file name is an internal error. */
function refusal(name: string, err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return notFound(
      `${FIELD}: there is no "${name}" in the settlement directory; put the file there first, or leave ${FIELD} empty to take the day's file from the PSP`,
    );
  }
  if (code === "EACCES" || code === "EPERM")
    return failedPrecondition(
      `${FIELD}: the reconciliation service is not allowed to read "${name}"; check its permissions`,
    );
  if (code === "ENAMETOOLONG") return invalidArgument(FIELD, `"${name}" is too long a name for the file system`);
  return failedPrecondition(`${FIELD}: "${name}" cannot be opened (${code ?? String(err)})`);
}

/**
 * Opens `name` in `root` only: no absolute path, nothing that resolves outside it (`..`, a symbolic link), only a
 * regular file (its size and lines are checked as it is read). The file is opened once and read through that descriptor, so
 * replacing it after the checks changes nothing.
 */
async function openIn(root: string, name: string): Promise<SettlementFile> {
  if (name.length > MAX_NAME_LENGTH || name.includes("\0"))
    throw invalidArgument(
      FIELD,
      `must be the name of a file in the settlement directory (at most ${MAX_NAME_LENGTH} characters)`,
    );
  if (isAbsolute(name))
    throw invalidArgument(
      FIELD,
      `"${name}" is an absolute path; give the name of a file in the settlement directory (SETTLEMENT_DIR) instead`,
    );
  // Refused before the file system is asked, so that a name outside never tells whether something exists there.
  if (!isInside(root, resolve(root, name)))
    throw invalidArgument(FIELD, `"${name}" points outside the settlement directory; give the name of a file in it`);
  const real = await realpath(resolve(root, name)).catch((err: unknown) => Promise.reject(refusal(name, err)));
  if (!isInside(root, real))
    throw invalidArgument(
      FIELD,
      `"${name}" is a symbolic link to a file outside the settlement directory; copy the file into it instead`,
    );
  const info = await stat(real).catch((err: unknown) => Promise.reject(refusal(name, err)));
  // Checked before opening: opening a named pipe would wait for a writer, and a device can do anything.
  if (!info.isFile()) throw invalidArgument(FIELD, `"${name}" is ${kindOf(info)}, not a settlement file`);
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (err: unknown) => Promise.reject(refusal(name, err)),
  );
  const opened = await handle.stat();
  // A directory on the way swapped for a symbolic link between the checks and open() would lead elsewhere: what
  // was opened is judged by the descriptor's own path (Linux), not by the name.
  const openedPath = await realpath(`/proc/self/fd/${handle.fd}`).catch(() => real);
  if (opened.dev !== info.dev || opened.ino !== info.ino || !isInside(root, openedPath)) {
    await handle.close();
    throw failedPrecondition(`${FIELD}: "${name}" was replaced while it was being opened; try again`);
  }
  return {
    read: () => handle.createReadStream({ start: 0, autoClose: false, highWaterMark: 1 << 20 }),
    source: real,
    release: () => handle.close(),
  };
}

/** The settlement directory (SETTLEMENT_DIR): must exist when the service starts. */
export async function settlementDirectory(dir: string): Promise<SettlementFiles> {
  const root = await realpath(dir).catch((err: Error) =>
    Promise.reject(new Error(`settlement directory ${dir}: ${err.message}`)),
  );
  if (!(await stat(root)).isDirectory()) throw new Error(`settlement directory ${dir} is not a directory`);
  return { open: (name) => openIn(root, name) };
}

/** Without a settlement directory, files come from the PSP only. */
export const noSettlementDirectory: SettlementFiles = {
  open: async () => {
    throw failedPrecondition(
      `${FIELD}: this reconciliation service has no settlement directory (SETTLEMENT_DIR); leave ${FIELD} empty to take the day's file from the PSP`,
    );
  },
};
