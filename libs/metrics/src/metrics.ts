import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * One registry per app (never prom-client's global one), so that several apps
 * or test modules in one process cannot clash on metric names.
 */
export function createMetricsRegistry(app: string, instance: string, withDefaults = true): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app, instance });
  if (withDefaults) collectDefaultMetrics({ register: registry });
  supervisorRestarts(registry, process.env.NDXP_SUPERVISOR_RESTARTS);
  return registry;
}

/**
 * How many times the launcher restarted this instance after a crash. The
 * launcher passes the count to each new process (NDXP_SUPERVISOR_RESTARTS), so
 * the series survives the crash it counts: an alert on it sees a crash loop.
 */
function supervisorRestarts(registry: Registry, raw: string | undefined): void {
  const restarts = Number(raw ?? 0);
  new Gauge({
    name: 'ndxp_supervisor_restarts',
    help: 'Times the launcher restarted this app instance after it crashed',
    registers: [registry],
  }).set(Number.isFinite(restarts) && restarts >= 0 ? restarts : 0);
}
