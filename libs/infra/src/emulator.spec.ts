import { readdirSync } from 'fs';
import { tmpdir } from 'os';
import { startEmulator } from './emulator';

describe('startEmulator', () => {
  it.each([[['H26']], [[]], [['000.00.00.H26', 'Hà Nội']]])('given lgsps %j, refuses them before it starts or makes anything', async (lgsps) => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('ndxp-emulator-')).length;
    await expect(startEmulator({ lgsps })).rejects.toThrow(/lgsps must be agency codes such as 000\.00\.00\.H26/);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('ndxp-emulator-')).length).toBe(before);
  });
});
