import { describeInjectedFault, parseInjectedFault, providerInjection, readProviderInjection } from './injected-fault';

const value = (text: string) => {
  const r = parseInjectedFault(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const refusal = (text: string) => {
  const r = parseInjectedFault(text);
  if (r.ok) throw new Error(`${text} was accepted`);
  return r.message;
};

describe('X-Emulator-Fault', () => {
  it('reads each item, in ms or s, combined with ; or , and spaces', () => {
    expect(value('latency=800ms')).toEqual({ latencyMs: 800 });
    expect(value('latency=1.5s')).toEqual({ latencyMs: 1500 });
    expect(value('latency=250')).toEqual({ latencyMs: 250 });
    expect(value('status=503')).toEqual({ status: 503 });
    expect(value('fault=Server.ServerProxy.NetworkError')).toEqual({ fault: 'Server.ServerProxy.NetworkError' });
    expect(value('fault=server.serverproxy.network_error')).toEqual({ fault: 'server.serverproxy.network_error' });
    expect(value('timeout')).toEqual({ timeout: true });
    expect(value('reset')).toEqual({ reset: true });
    expect(value('slow-body=2s')).toEqual({ slowBodyMs: 2000 });
    expect(value(' latency=100ms ; status=503, slow-body=300 ')).toEqual({ latencyMs: 100, status: 503, slowBodyMs: 300 });
    expect(value('LATENCY=5MS;Timeout')).toEqual({ latencyMs: 5, timeout: true });
  });

  it('refuses junk with a message that says what is expected', () => {
    expect(refusal('')).toMatch(/empty; expected latency=800ms/);
    expect(refusal(' ; , ')).toMatch(/empty/);
    expect(refusal('explode')).toMatch(/unknown item "explode"/);
    expect(refusal('latency')).toMatch(/needs a value/);
    expect(refusal('latency=')).toMatch(/needs a value/);
    expect(refusal('latency=fast')).toMatch(/a duration such as 800ms/);
    expect(refusal('latency=-5ms')).toMatch(/a duration/);
    expect(refusal('latency=61s')).toMatch(/at most 60000 ms/);
    expect(refusal('status=99')).toMatch(/from 200 to 599/);
    expect(refusal('status=600')).toMatch(/from 200 to 599/);
    expect(refusal('status=150')).toMatch(/from 200 to 599/);
    expect(refusal('status=5o3')).toMatch(/from 200 to 599/);
    expect(refusal('fault=boom')).toMatch(/X-Road fault code/);
    expect(refusal('fault=Server.ServerProxy.Network Error')).toMatch(/X-Road fault code/);
    expect(refusal('timeout=5s')).toMatch(/takes no value/);
    expect(refusal('latency=1ms;latency=2ms')).toMatch(/latency is given twice/);
    expect(refusal('status=503;timeout')).toMatch(/status and timeout cannot be combined/);
    expect(refusal('fault=Server.ServerProxy.IOError;reset')).toMatch(/cannot be combined/);
    expect(refusal('reset;slow-body=1s')).toMatch(/slow-body needs an answer/);
    expect(refusal('x'.repeat(301))).toMatch(/at most 300 characters/);
  });

  it('describes a fault in the grammar, in a fixed order, as the ledger records it', () => {
    expect(describeInjectedFault(value('slow-body=1s, status=404 ;latency=1.5s'))).toBe('latency=1500ms;status=404;slow-body=1000ms');
    expect(describeInjectedFault(value('timeout'))).toBe('timeout');
    expect(describeInjectedFault(value('fault=Server.ServerProxy.IOError'))).toBe('fault=Server.ServerProxy.IOError');
  });

  it('carries to the provider only what the provider does', () => {
    expect(providerInjection(value('latency=10ms;status=503;slow-body=5'))).toEqual({ latencyMs: 10, status: 503 });
    expect(providerInjection(value('timeout'))).toEqual({ timeout: true });
    expect(providerInjection(value('reset'))).toBeUndefined();
    expect(providerInjection(value('fault=Server.ServerProxy.IOError'))).toBeUndefined();
  });

  it('keeps only well-formed fields of an injection read off Kafka', () => {
    expect(readProviderInjection({ latencyMs: 10, status: 503, timeout: true })).toEqual({ latencyMs: 10, status: 503, timeout: true });
    expect(readProviderInjection({ latencyMs: 1e9, status: '503', timeout: 'yes' })).toBeUndefined();
    expect(readProviderInjection({ latencyMs: 1.5, status: 99 })).toBeUndefined();
    expect(readProviderInjection(null)).toBeUndefined();
    expect(readProviderInjection('status=503')).toBeUndefined();
  });
});
