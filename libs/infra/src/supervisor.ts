import type { AppProcess } from './stack';

export interface RestartPolicy {
  /** Delay before each restart in turn; the last repeats. The first is short: a crash is a service outage. */
  backoffMs: number[];
  /** More crashes than this within windowMs and the supervisor gives up on the instance. */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { backoffMs: [100, 1000, 2000, 5000], maxCrashes: 5, windowMs: 60_000 };

/** What to do after a crash at `now`, given the instance's earlier crash times. Pure. */
export function nextRestart(crashes: number[], now: number, p: RestartPolicy): { giveUp: true; recent: number } | { giveUp: false; delayMs: number; recent: number } {
  const recent = crashes.filter((t) => now - t < p.windowMs).length + 1;
  if (recent > p.maxCrashes) return { giveUp: true, recent };
  return { giveUp: false, delayMs: p.backoffMs[Math.min(recent - 1, p.backoffMs.length - 1)], recent };
}

export interface SupervisorHooks {
  /** Starts the instance again; resolves with the new process once it is healthy. */
  respawn(old: AppProcess, restarts: number): Promise<AppProcess>;
  log(line: string): void;
}

/**
 * Restarts an app process that exits on its own (a crash, a kill -9), with
 * backoff, and gives up loudly on a crash loop. Exits it was told about
 * (stop, a scenario's deliberate kill) are left alone.
 */
export class Supervisor {
  private stopping = false;
  private readonly crashes = new Map<string, number[]>();
  private readonly expected = new Set<number>();
  readonly restarts = new Map<string, number>();
  readonly givenUp = new Set<string>();

  constructor(
    private readonly hooks: SupervisorHooks,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {}

  watch(p: AppProcess, onReplaced: (next: AppProcess) => void): void {
    p.child.once('exit', (code, signal) => {
      if (this.stopping || (p.child.pid !== undefined && this.expected.delete(p.child.pid))) return;
      void this.onCrash(p, code, signal, onReplaced);
    });
  }

  /** The next exit of this process is deliberate: do not restart it. */
  expectExit(p: AppProcess): void {
    if (p.child.pid !== undefined) this.expected.add(p.child.pid);
  }

  stop(): void {
    this.stopping = true;
  }

  private async onCrash(p: AppProcess, code: number | null, signal: NodeJS.Signals | null, onReplaced: (next: AppProcess) => void): Promise<void> {
    const now = Date.now();
    const earlier = this.crashes.get(p.instance) ?? [];
    const next = nextRestart(earlier, now, this.policy);
    this.crashes.set(p.instance, [...earlier.filter((t) => now - t < this.policy.windowMs), now]);
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    if (next.giveUp) {
      this.givenUp.add(p.instance);
      this.hooks.log(
        `supervisor: ${p.instance} ${how}, its ${next.recent}th crash within ${this.policy.windowMs / 1000} s: giving up on it. ` +
          `The rest of the stack keeps running; read ${p.instance}'s last log lines above, fix the cause, and start again.`,
      );
      return;
    }
    const restarts = (this.restarts.get(p.instance) ?? 0) + 1;
    this.restarts.set(p.instance, restarts);
    this.hooks.log(`supervisor: ${p.instance} ${how}; restarting it in ${next.delayMs} ms (restart ${restarts})`);
    await new Promise((r) => setTimeout(r, next.delayMs));
    if (this.stopping) return;
    try {
      const fresh = await this.hooks.respawn(p, restarts);
      onReplaced(fresh);
      this.watch(fresh, onReplaced);
      this.hooks.log(`supervisor: ${p.instance} is back, healthy ${((Date.now() - now) / 1000).toFixed(1)} s after the crash`);
    } catch (e) {
      this.hooks.log(`supervisor: ${p.instance} did not come back: ${(e as Error).message}`);
    }
  }
}
