import { readFileSync } from 'fs';

const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

/** CPU seconds and resident memory of a process, from /proc (Linux); undefined once it is gone. */
export function procSample(pid: number): { cpuS: number; rssBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
    const rssBytes = Number(fields[21]) * PAGE;
    return { cpuS, rssBytes };
  } catch {
    return undefined;
  }
}

/** CPU use (cores) of each process between two calls, and its memory now. */
export class ProcessMeter {
  private last = new Map<string, { cpuS: number; at: number }>();

  sample(processes: Array<{ name: string; pid: number | undefined }>): Record<string, { cpu: number; rssMb: number }> {
    const out: Record<string, { cpu: number; rssMb: number }> = {};
    const now = Date.now();
    for (const p of processes) {
      if (!p.pid) continue;
      const s = procSample(p.pid);
      if (!s) continue;
      const prev = this.last.get(p.name);
      out[p.name] = { cpu: prev ? Math.max(0, (s.cpuS - prev.cpuS) / ((now - prev.at) / 1000)) : 0, rssMb: Math.round(s.rssBytes / 1048576) };
      this.last.set(p.name, { cpuS: s.cpuS, at: now });
    }
    return out;
  }
}
