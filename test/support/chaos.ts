import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { seedApiKey, DEFAULT_SEED_SECRET } from '@ndxp/contracts';
import { fetchJson, Stack } from '@ndxp/infra';

const CLIENT = 'VN/GOV/000.00.00.H26/MOTCUA';
const SERVICE = 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup';
const CITIZEN = '001030000483';

/** What one client saw for one request. */
export interface Seen {
  xRoadId: string;
  sentAt: number;
  doneAt: number;
  /** HTTP status, or 0 when the connection failed (the request never reached a gateway). */
  status: number;
  fault?: string;
}

/**
 * A steady open-model load on one gateway (a request every 1000/rate ms,
 * whatever the answers do), each with its own X-Road-Id so that every answer
 * can be matched to its ledger row.
 */
export class SteadyLoad {
  readonly seen: Seen[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly lgspUrl: () => string,
    private readonly rate: number,
  ) {}

  start(): void {
    const key = seedApiKey(DEFAULT_SEED_SECRET, CLIENT);
    this.timer = setInterval(() => {
      const p = this.one(key);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }, 1000 / this.rate);
  }

  private async one(key: string): Promise<void> {
    const xRoadId = randomUUID();
    const sentAt = Date.now();
    try {
      const res = await fetch(`${this.lgspUrl()}/r1/${SERVICE}/${CITIZEN}`, {
        headers: { 'X-Road-Client': CLIENT, 'X-API-Key': key, 'X-Road-Id': xRoadId },
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      this.seen.push({ xRoadId, sentAt, doneAt: Date.now(), status: res.status, fault: res.headers.get('x-road-error') ?? undefined });
    } catch {
      this.seen.push({ xRoadId, sentAt, doneAt: Date.now(), status: 0 });
    }
  }

  /** Stops sending and waits for every answer still due. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  /** The first success among requests sent at or after `t`, in ms after `t`. */
  firstSuccessAfter(t: number): number | undefined {
    const ok = this.seen.filter((s) => s.sentAt >= t && s.status === 200).sort((a, b) => a.doneAt - b.doneAt)[0];
    return ok ? ok.doneAt - t : undefined;
  }

  /** Per second from `t`: answers by status of the requests sent in that second, e.g. `+3s 200×40 504×10`. */
  timeline(t: number, seconds: number): string {
    const lines: string[] = [];
    for (let s = -2; s < seconds; s++) {
      const sent = this.seen.filter((x) => x.sentAt >= t + s * 1000 && x.sentAt < t + (s + 1) * 1000);
      const by = new Map<string, number>();
      for (const x of sent) by.set(`${x.status}${x.fault ? ` ${x.fault}` : ''}`, (by.get(`${x.status}${x.fault ? ` ${x.fault}` : ''}`) ?? 0) + 1);
      const worst = Math.max(0, ...sent.map((x) => x.doneAt - x.sentAt));
      lines.push(`${s >= 0 ? '+' : ''}${s}s ${[...by].map(([k, n]) => `${k}×${n}`).join(', ')} (slowest ${worst} ms)`);
    }
    return lines.join('\n');
  }

  p99Between(from: number, to: number): number {
    const lat = this.seen
      .filter((s) => s.sentAt >= from && s.sentAt < to && s.status !== 0)
      .map((s) => s.doneAt - s.sentAt)
      .sort((a, b) => a - b);
    return lat.length ? lat[Math.min(lat.length - 1, Math.ceil(0.99 * lat.length) - 1)] : NaN;
  }
}

export interface LedgerCheck {
  /** Requests that reached a gateway. */
  reached: number;
  lost: string[];
  doubled: string[];
  /** Rows whose status or fault is not what the client got. */
  disagree: Array<{ xRoadId: string; client: string; ledger: string }>;
}

/** Waits (bounded) for the projection to catch up, then compares every answer with its ledger row. */
export async function checkLedger(stack: Stack, seen: Seen[], catchUpMs = 60_000): Promise<LedgerCheck> {
  const ndxp = stack.apps.find((a) => a.app === 'ndxp')!;
  const deadline = Date.now() + catchUpMs;
  for (;;) {
    const st = await fetchJson(`http://127.0.0.1:${ndxp.port}/projection/status`, 5000).catch(() => undefined);
    if (st?.body?.total === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const reached = seen.filter((s) => s.status !== 0);
  const db = new Client({ connectionString: stack.infra.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ x_road_id: string; n: number; status_code: number | null; fault_code: string | null }>(
      `SELECT x_road_id, count(*)::int AS n, max(status_code) AS status_code, max(fault_code) AS fault_code
       FROM ndxp.transactions WHERE x_road_id = ANY($1) GROUP BY x_road_id`,
      [reached.map((s) => s.xRoadId)],
    );
    const byId = new Map(rows.map((r) => [r.x_road_id, r]));
    const check: LedgerCheck = { reached: reached.length, lost: [], doubled: [], disagree: [] };
    for (const s of reached) {
      const row = byId.get(s.xRoadId);
      if (!row) check.lost.push(s.xRoadId);
      else if (row.n > 1) check.doubled.push(s.xRoadId);
      else if (row.status_code !== s.status || (row.fault_code ?? undefined) !== s.fault)
        check.disagree.push({ xRoadId: s.xRoadId, client: `${s.status} ${s.fault ?? ''}`, ledger: `${row.status_code} ${row.fault_code ?? ''}` });
    }
    return check;
  } finally {
    await db.end();
  }
}

export function summary(c: LedgerCheck): string {
  return (
    `${c.reached} reached a gateway: ${c.lost.length} lost, ${c.doubled.length} doubled, ${c.disagree.length} disagree` +
    (c.disagree.length ? ` (e.g. client ${c.disagree[0].client} / ledger ${c.disagree[0].ledger})` : '')
  );
}
