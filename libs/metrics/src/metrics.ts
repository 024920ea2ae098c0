import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One registry per app (never prom-client's global one), so that several apps
 * or test modules in one process cannot clash on metric names.
 */
export function createMetricsRegistry(app: string, instance: string, withDefaults = true): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app, instance });
  if (withDefaults) collectDefaultMetrics({ register: registry });
  return registry;
}
