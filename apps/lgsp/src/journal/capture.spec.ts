import { Capture, entryOf, maskedEntry } from './capture';

const capture: Capture = {
  startedAt: Date.parse('2026-11-23T03:00:00Z'),
  bodyReadMs: 1,
  answeredMs: 10,
  method: 'POST',
  origin: 'http://127.0.0.1:3003',
  url: '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/001030000483?fullName=An&x=1',
  httpVersion: '1.1',
  rawHeaders: ['X-API-Key', 'ndxp_secret_key_123', 'Content-Type', 'application/json', 'X-Road-UserId', 'VN001200000483'],
  body: Buffer.from(JSON.stringify({ personalId: '001200000483', purpose: 'hồ sơ' })),
  status: 200,
  responseHeaders: { 'content-type': 'application/json', 'x-road-issue': 'HS-2026-000123' },
  responseBody: Buffer.from(JSON.stringify({ fullName: 'Nguyễn Văn An', personalId: '001030000483' })),
  replayed: false,
};
const who = { client: 'VN/GOV/000.00.00.H26/MOTCUA', service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup', lgsp: '000.00.00.H26' };

describe('an entry held clear, shown to a reader who may not see personal data (an LGSP operator)', () => {
  it('given JOURNAL_BODIES=clear, when masked for the reader, then URL, personal headers and bodies read as masked mode would have kept them', () => {
    const clear = entryOf(capture, who, 'clear');
    const masked = entryOf(capture, who, 'masked');
    const shown = maskedEntry({ ...clear, seq: 1 });
    expect(shown.request.url).toBe(masked.request.url);
    expect(shown.request.headers).toEqual(masked.request.headers);
    expect(shown.response.headers).toEqual(masked.response.headers);
    expect(shown.request.body!.text).toBe(masked.request.body!.text);
    expect(shown.response.body.text).toBe(masked.response.body.text);
    expect(JSON.stringify(shown)).not.toMatch(/001030000483|001200000483|Nguyễn Văn An|VN001200000483|HS-2026-000123|ndxp_secret_key_123/);
    expect(shown).toMatchObject({ lgsp: '000.00.00.H26', client: who.client, seq: 1 });
  });

  it('given a body kept as base64 bytes, when masked for the reader, then the bytes are not shown (they cannot be masked)', () => {
    const bytes = entryOf({ ...capture, responseBody: Buffer.from([0xff, 0xfe, 0x00, 0x01]) }, who, 'clear');
    expect(bytes.response.body.encoding).toBe('base64');
    const shown = maskedEntry({ ...bytes, seq: 1 }).response.body;
    expect(shown).toEqual({ size: 4, mimeType: 'application/json', comment: 'not text: not shown, as it cannot be masked' });
  });

  it('given a body not kept (JOURNAL_BODIES=off), when masked for the reader, then it is as it was', () => {
    const off = entryOf(capture, who, 'off');
    expect(maskedEntry({ ...off, seq: 1 }).response.body).toEqual(off.response.body);
  });
});
