/** CPU time of processes, from /proc (Linux only; undefined elsewhere): less swayed by a busy machine than latency. */
import { existsSync, readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  ticks: number;
}

function procStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // the process ended meanwhile
    }
    // The fields after the command name, which is in parentheses: ppid is the 2nd, utime and stime the 12th and 13th.
    const fields = (text.split(") ")[1] ?? "").split(" ").map(Number);
    stats.push({ pid: Number(entry), ppid: fields[1] ?? 0, ticks: (fields[11] ?? 0) + (fields[12] ?? 0) });
  }
  return stats;
}

/** The CPU ms used so far by the processes `pids` and all their descendants. */
export function cpuMsOf(pids: readonly number[]): number | undefined {
  if (!existsSync("/proc/stat")) return undefined;
  const stats = procStats();
  const counted = new Set(pids);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of stats)
      if (!counted.has(s.pid) && counted.has(s.ppid)) {
        counted.add(s.pid);
        grew = true;
      }
  }
  return stats.filter((s) => counted.has(s.pid)).reduce((sum, s) => sum + s.ticks * TICK_MS, 0);
}
