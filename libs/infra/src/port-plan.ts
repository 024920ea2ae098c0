import { APPS, StackApp } from './stack-apps';

export interface PlannedProcess {
  app: StackApp;
  /** `lgsp-2` when several processes of an app run. */
  instance: string;
  port: number;
  extraEnv: Record<string, string>;
}

export class PortPlanError extends Error {}

/**
 * The port of every process of the stack, none shared. The first process of
 * each app keeps its own port (REGISTRY_PORT, NDXP_PORT, LGSP_PORT,
 * PROVIDERS_PORT); further processes take the free ports just above the
 * highest of those, in start order, skipping the `reserved` ones (broker,
 * Prometheus). Before, process i took the app's port + i - 1, so the second
 * gateway took the national databases' port.
 */
export function planPorts(counts: Record<StackApp, number>, ports: Record<StackApp, number>, reserved: number[] = []): PlannedProcess[] {
  const owner = new Map<number, string>();
  for (const app of APPS) {
    const other = owner.get(ports[app]);
    if (other) throw new PortPlanError(`${other} and ${app} are both given port ${ports[app]}: set different ${portVariable(other)} and ${portVariable(app)}`);
    owner.set(ports[app], app);
  }
  const taken = new Set<number>([...owner.keys(), ...reserved]);
  let next = Math.max(...APPS.map((a) => ports[a])) + 1;
  const nextFree = () => {
    while (taken.has(next)) next++;
    if (next > 65535) throw new PortPlanError("no free port left above the apps' ports for the extra processes");
    taken.add(next);
    return next;
  };
  return APPS.flatMap((app) =>
    Array.from({ length: counts[app] }, (_, i) => ({
      app,
      instance: `${app}-${i + 1}`,
      port: i === 0 ? ports[app] : nextFree(),
      // A gateway process gets its shard, and signs with keys it derives from PLATFORM_SIGNING_KEY, not with its shard's
      // keys only (LGSP_SIGNING_KEYS): which LGSPs a shard hosts is decided at run time from the registry (every N-th of
      // the sorted LGSPs), so an LGSP registered later moves others between shards, and keys fixed at spawn would go
      // stale. The hub still refuses a request signed for another LGSP than it names; a deployment that pins each
      // gateway's LGSPs gives it LGSP_AGENCIES and LGSP_SIGNING_KEYS instead (`ndxp lgsp-keys`).
      extraEnv: app === 'lgsp' && counts[app] > 1 ? { LGSP_SHARD: `${i + 1}/${counts[app]}` } : ({} as Record<string, string>),
    })),
  );
}

function portVariable(app: string): string {
  return `${app.toUpperCase()}_PORT`;
}
