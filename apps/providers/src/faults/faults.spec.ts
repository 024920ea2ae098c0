import { FaultBook } from './faults';

describe('FaultBook', () => {
  it('answers at once when nothing is set', () => {
    expect(new FaultBook().decide('population', 'citizen-lookup')).toEqual({ kind: 'answer', delayMs: 0 });
  });

  it('fails every request of a database in outage with the network fault', () => {
    const b = new FaultBook();
    b.set('population', { latencyMs: 0, jitterMs: 0, errorProbability: 0, errorKind: 'error', outage: true });
    expect(b.decide('population', 'citizen-verify')).toMatchObject({ kind: 'fail', fault: { type: 'Server.ServerProxy.NetworkError', status: 500 } });
    expect(b.decide('insurance', 'health-insurance-card').kind).toBe('answer');
  });

  it('adds latency with jitter inside its bounds', () => {
    const b = new FaultBook();
    b.set('enterprise', { latencyMs: 100, jitterMs: 20, errorProbability: 0, errorKind: 'error', outage: false });
    expect(b.decide('enterprise', 'enterprise-lookup', () => 0)).toEqual({ kind: 'answer', delayMs: 80 });
    expect(b.decide('enterprise', 'enterprise-lookup', () => 0.999999).kind).toBe('answer');
  });

  it('injects each error kind at its probability, and a service setting overrides its database', () => {
    const b = new FaultBook();
    b.set('population', { latencyMs: 0, jitterMs: 0, errorProbability: 0.5, errorKind: 'timeout', outage: false });
    b.set('population', { latencyMs: 0, jitterMs: 0, errorProbability: 1, errorKind: 'error', outage: false }, 'citizen-verify');
    expect(b.decide('population', 'citizen-lookup', () => 0.4)).toEqual({ kind: 'drop' });
    expect(b.decide('population', 'citizen-lookup', () => 0.6).kind).toBe('answer');
    expect(b.decide('population', 'citizen-verify', () => 0.99)).toMatchObject({ kind: 'error', status: 500 }); // the database's own 500
    b.clear('population', 'citizen-verify');
    expect(b.decide('population', 'citizen-verify', () => 0.99).kind).toBe('answer');
    expect(b.active()).toEqual([{ database: 'population', service: '*', kind: 'error-timeout' }]);
  });
});
