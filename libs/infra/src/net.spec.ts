import { ephemeralRange, freePort } from './net';

describe('freePort', () => {
  it('given the kernel hands out source ports from its ephemeral range, when ports are picked, then they lie below it and are never handed out twice', async () => {
    const range = ephemeralRange();
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    if (range) for (const p of ports) expect(p).toBeLessThan(range[0]);
  });

  it('given the range file, when read, then its two bounds; given junk, then nothing', () => {
    expect(ephemeralRange(() => '32768\t60999\n')).toEqual([32768, 60999]);
    expect(ephemeralRange(() => 'junk')).toBeUndefined();
    expect(
      ephemeralRange(() => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
  });
});
