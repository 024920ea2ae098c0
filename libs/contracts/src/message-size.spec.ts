import { ExchangeRequest } from './exchange';
import { MAX_REQUEST_BYTES } from './faults';
import { base64Length, DEFAULT_MAX_HEADER_BYTES, envelopeBound, envelopeBytes, KAFKA_MAX_MESSAGE_BYTES, MAX_ENVELOPE_BYTES, MAX_HEADER_BYTES_LIMIT } from './message-size';

/** An envelope as the gateway builds it, with a body of `bodyBytes` and every head-derived field filled from `head`. */
function envelope(bodyBytes: number, head: { headers: Record<string, string>; field: string; url: string }): ExchangeRequest {
  return {
    transactionId: '6f1c1f2e-3b0a-4d8e-9c51-0a1b2c3d4e5f',
    xRoadId: head.field,
    requestId: '6f1c1f2e-3b0a-4d8e-9c51-0a1b2c3d4e60',
    lgsp: head.url,
    client: head.field,
    service: head.url,
    userId: head.field,
    issue: head.field,
    representedParty: head.field,
    method: 'POST',
    path: head.url,
    rawQuery: head.url,
    headers: head.headers,
    body: Buffer.alloc(bodyBytes, 0xff).toString('base64'),
    requestSize: bodyBytes,
    requestInAt: Date.now(),
    deadlineAt: Date.now() + 5000,
  };
}

describe('the exchange envelope and Kafka’s message size', () => {
  it('given the largest body and a head of the default limit made of the worst characters, when enveloped, then it fits in one Kafka message', () => {
    // Worst cases for JSON: '"' (escaped to 2 bytes), 'é' (latin1 → 2 bytes of UTF-8), and 2-byte names with empty values.
    const third = Math.floor(DEFAULT_MAX_HEADER_BYTES / 3);
    const headers: Record<string, string> = { 'x-quoted': '"'.repeat(third) };
    for (let i = 0; Object.keys(headers).length * 2 < third; i++) headers[`${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`] = '';
    const e = envelope(MAX_REQUEST_BYTES, { headers, field: 'é'.repeat(third), url: '"'.repeat(third) });
    const size = envelopeBytes(e);
    expect(size).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(e)));
    expect(size).toBeLessThanOrEqual(envelopeBound());
    expect(envelopeBound()).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
    expect(MAX_ENVELOPE_BYTES).toBeLessThan(KAFKA_MAX_MESSAGE_BYTES);
  });

  it('given the largest head an app may be configured for, when bounded, then the envelope still fits', () => {
    expect(envelopeBound(MAX_REQUEST_BYTES, MAX_HEADER_BYTES_LIMIT)).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
  });

  it('given 1 MiB of body, when in base64, then it is 1398104 bytes: more than Kafka’s default limit of 1048588', () => {
    expect(base64Length(MAX_REQUEST_BYTES)).toBe(1398104);
    expect(base64Length(MAX_REQUEST_BYTES)).toBeGreaterThan(1048588);
  });

  it('given an envelope without a body, when sized, then the size is at most 10 bytes over its JSON', () => {
    const e = envelope(0, { headers: { a: 'b' }, field: 'f', url: 'u' });
    delete e.body;
    const exact = Buffer.byteLength(JSON.stringify(e));
    expect(envelopeBytes(e) - exact).toBeGreaterThanOrEqual(0);
    expect(envelopeBytes(e) - exact).toBeLessThanOrEqual(10);
  });
});
