import { planPorts, PortPlanError } from './port-plan';

const defaults = { registry: 3001, ndxp: 3002, lgsp: 3003, providers: 3004 };
const one = { registry: 1, providers: 1, ndxp: 1, lgsp: 1 };

function portsOf(plan: ReturnType<typeof planPorts>): Record<string, number> {
  return Object.fromEntries(plan.map((p) => [p.instance, p.port]));
}

describe('planPorts', () => {
  it('given one process per app, keeps the documented ports', () => {
    expect(portsOf(planPorts(one, defaults))).toEqual({ 'registry-1': 3001, 'providers-1': 3004, 'ndxp-1': 3002, 'lgsp-1': 3003 });
  });

  it("given two gateways and two hubs on the default ports, gives no process another one's port", () => {
    const plan = planPorts({ ...one, ndxp: 2, lgsp: 2 }, defaults, [9090, 9092, 9093]);
    expect(portsOf(plan)).toEqual({ 'registry-1': 3001, 'providers-1': 3004, 'ndxp-1': 3002, 'ndxp-2': 3005, 'lgsp-1': 3003, 'lgsp-2': 3006 });
    expect(new Set(plan.map((p) => p.port)).size).toBe(plan.length);
    expect(plan.filter((p) => p.app === 'lgsp').map((p) => p.extraEnv.LGSP_SHARD)).toEqual(['1/2', '2/2']);
  });

  it('given custom ports and sixteen gateways, skips every base and reserved port', () => {
    const ports = { registry: 4000, ndxp: 4010, lgsp: 4005, providers: 4011 };
    const plan = planPorts({ ...one, lgsp: 16 }, ports, [4012, 4014]);
    const all = plan.map((p) => p.port);
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain(4012);
    expect(all).not.toContain(4014);
    expect(plan.find((p) => p.instance === 'lgsp-2')!.port).toBe(4013);
  });

  it('given two apps on one port, refuses naming both variables', () => {
    expect(() => planPorts(one, { ...defaults, lgsp: 3004 })).toThrow(PortPlanError);
    expect(() => planPorts(one, { ...defaults, lgsp: 3004 })).toThrow(/providers and lgsp are both given port 3004: set different PROVIDERS_PORT and LGSP_PORT/);
  });
});
