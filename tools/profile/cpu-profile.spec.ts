import { CpuProfile, placeOf, summarise } from './cpu-profile';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('CPU profile summary', () => {
  it('given scripts from packages, this project and Node, when placed, then each gets its package, part or module', () => {
    expect(placeOf('file:///w/node_modules/kafkajs/src/producer/index.js', 'send')).toBe('kafkajs');
    expect(placeOf('file:///w/node_modules/@nestjs/core/router/x.js', 'f')).toBe('@nestjs/core');
    expect(placeOf('file:///w/dist/apps/lgsp/src/gateway/gateway.service.js', 'handle')).toBe('apps/lgsp');
    expect(placeOf('file:///w/dist/libs/platform/src/kafka/batching-producer.js', 'flush')).toBe('libs/platform');
    expect(placeOf('node:internal/streams/readable', 'read')).toBe('node:streams');
    expect(placeOf('node:net', 'connect')).toBe('node:net');
    expect(placeOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(placeOf('', 'JSON.parse')).toBe('(native)');
  });

  it('given samples, when summarised, then self time is charged to the node each sample hit, idle left out', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('send', 'file:///w/node_modules/kafkajs/src/producer/index.js', 9) },
        { id: 4, callFrame: frame('(garbage collector)') },
      ],
      // Each sample's time is the delta that follows it.
      samples: [3, 3, 2, 4, 3, 2],
      timeDeltas: [0, 1000, 1000, 5000, 2000, 1000],
      startTime: 0,
      endTime: 10_000,
    };
    const s = summarise(profile);
    expect(s.busyMs).toBe(5); // kafkajs 1 + 1 + 1, GC 2; idle 5 left out
    expect(s.byPlace).toEqual([
      { name: 'kafkajs', ms: 3, share: 0.6 },
      { name: '(garbage collector)', ms: 2, share: 0.4 },
    ]);
    expect(s.byFunction[0]).toEqual({ name: 'send kafkajs:10', ms: 3, share: 0.6 });
    expect(s.wallMs).toBe(10);
  });
});
