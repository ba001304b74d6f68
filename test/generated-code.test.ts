import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUF = join(ROOT, "node_modules", ".bin", "buf");

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

describe("protobuf contracts", () => {
  it("pass buf lint", () => {
    expect(() => execFileSync(BUF, ["lint"], { cwd: ROOT, stdio: "pipe" })).not.toThrow();
  });

  it("match the committed generated code (run `npm run generate` after editing a .proto)", () => {
    const out = mkdtempSync(join(tmpdir(), "buf-gen-"));
    try {
      execFileSync(BUF, ["generate", "--output", out], { cwd: ROOT, stdio: "pipe" });
      const fresh = filesUnder(join(out, "gen"));
      const committed = filesUnder(join(ROOT, "gen"));
      expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
      for (const [path, content] of fresh) expect(committed.get(path), `gen/${path} is stale`).toBe(content);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
