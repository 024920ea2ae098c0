import { withoutNul } from './text';

describe('withoutNul', () => {
  it('given text with NUL characters, when cleaned, then each becomes U+FFFD and nothing else changes', () => {
    expect(withoutNul('a\u0000b\u0000\u0000')).toBe('a\ufffdb\ufffd\ufffd');
    expect(withoutNul('Hộ tịch \\u0000 %00')).toBe('Hộ tịch \\u0000 %00');
  });

  it('given text without NUL, when cleaned, then the same string comes back', () => {
    const s = 'VN/GOV/000.00.00.H26/MOTCUA';
    expect(withoutNul(s)).toBe(s);
    expect(withoutNul('')).toBe('');
  });
});
