import { Counter } from 'prom-client';
import { createMetricsRegistry } from './metrics';
import { serviceLabel } from './definitions';

describe('createMetricsRegistry', () => {
  it('gives each app its own registry, labelled with app and instance', async () => {
    const a = createMetricsRegistry('ndxp', 'ndxp-1', false);
    const b = createMetricsRegistry('lgsp', 'lgsp-1', false);
    // The same name in two registries must not clash as it would on the global one.
    new Counter({ name: 'ndxp_test_total', help: 'x', registers: [a] }).inc(2);
    new Counter({ name: 'ndxp_test_total', help: 'x', registers: [b] }).inc(5);
    expect(await a.metrics()).toContain('ndxp_test_total{app="ndxp",instance="ndxp-1"} 2');
    expect(await b.metrics()).toContain('ndxp_test_total{app="lgsp",instance="lgsp-1"} 5');
  });

  it('includes default process metrics', async () => {
    const r = createMetricsRegistry('registry', 'registry-1');
    expect(await r.metrics()).toMatch(/process_cpu_user_seconds_total\{app="registry"/);
  });
});

describe('serviceLabel', () => {
  const registered = new Set(['VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup']);
  it('given a registered service, when labelled, then the label is its service code', () => {
    expect(serviceLabel('VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup', registered)).toBe('citizen-lookup');
  });
  it.each([
    ['a well-formed service the registry lacks', 'VN/GOV/000.00.00.G01/CSDLQGDC/made-up-1'],
    ['a made-up provider', 'VN/GOV/000.00.00.G99/X/citizen-lookup'],
    ['junk', '/r1/%zz'],
    ['nothing', ''],
  ])('given %s, when labelled, then the label is unknown', (_why, key) => {
    expect(serviceLabel(key, registered)).toBe('unknown');
  });
});
