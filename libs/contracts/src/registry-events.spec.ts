import { parseRegistryEnvelope, RegistryEventEnvelope } from './registry-events';

const client = 'VN/GOV/000.00.00.H26/MOTCUA';
const envelope: RegistryEventEnvelope = {
  globalPosition: 7,
  streamId: `access-${client}`,
  streamVersion: 2,
  recordedAt: '2026-01-02T03:04:05.000Z',
  event: { type: 'AccessGranted', client, service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup' },
};
const withEvent = (event: unknown) => JSON.stringify({ ...envelope, event });

describe('registry event envelopes from Kafka', () => {
  it('given a valid record, when parsed, then the envelope', () => {
    expect(parseRegistryEnvelope(JSON.stringify(envelope))).toEqual({ ok: true, value: envelope });
  });

  it('given an envelope stamped with a newer schema version, when parsed, then refused with the reason; stamped 1, accepted', () => {
    expect(parseRegistryEnvelope(JSON.stringify({ ...envelope, schemaVersion: 2 }))).toEqual({
      ok: false,
      reason: "schema version 2 is newer than this reader's (1): written by a newer emulator",
    });
    expect(parseRegistryEnvelope(JSON.stringify({ ...envelope, schemaVersion: 1 })).ok).toBe(true);
  });

  it('given every event type the registry publishes, when parsed, then each is accepted', () => {
    const events = [
      { type: 'AgencyRegistered', code102: '000.00.00.H26', nameVi: 'Hà Nội', nameEn: 'Hanoi', level: 1, category: 'province', codeConfirmed: true, hasLgsp: true },
      { type: 'SubsystemRegistered', subsystem: client, agency: '000.00.00.H26', name: 'one-stop shop', role: 'client' },
      { type: 'ServiceRegistered', service: 's', provider: 'p', serviceCode: 'c', version: 'v1', method: 'GET', database: 'population', description: '' },
      { type: 'AccessRevoked', client, service: 's' },
      { type: 'CredentialIssued', client, keyId: 'k1', keyHash: 'h1' },
      { type: 'CredentialRevoked', client, keyId: 'k1' },
      { type: 'CertificateRegistered', client, fingerprint: 'ab'.repeat(32), subject: 'CN=MOTCUA', notAfter: '2030-01-01T00:00:00.000Z' },
      { type: 'CertificateRevoked', client, fingerprint: 'ab'.repeat(32) },
      { type: 'OperatorCredentialIssued', lgsp: '000.00.00.H26', keyId: 'k1', keyHash: 'h1' },
      { type: 'OperatorCredentialRevoked', lgsp: '000.00.00.H26', keyId: 'k1' },
    ];
    for (const e of events) expect(parseRegistryEnvelope(withEvent(e))).toMatchObject({ ok: true, value: { event: e } });
  });

  it.each([
    ['not JSON', 'not json', /not JSON/],
    ['empty', '', /not JSON/],
    ['JSON null', 'null', /not an object/],
    ['an array', '[]', /not an object/],
    ['no position', JSON.stringify({ ...envelope, globalPosition: undefined }), /globalPosition/],
    ['a position as text', JSON.stringify({ ...envelope, globalPosition: '7' }), /globalPosition/],
    ['position zero', JSON.stringify({ ...envelope, globalPosition: 0 }), /globalPosition/],
    ['a huge position (1e300)', JSON.stringify({ ...envelope, globalPosition: 1e300 }), /globalPosition/],
    ['a position past 2^53', JSON.stringify({ ...envelope, globalPosition: 2 ** 53 }), /globalPosition/],
    ['a fractional position', JSON.stringify({ ...envelope, globalPosition: 7.5 }), /globalPosition/],
    ['a negative position', JSON.stringify({ ...envelope, globalPosition: -7 }), /globalPosition/],
    ['no stream id', JSON.stringify({ ...envelope, streamId: 3 }), /streamId/],
    ['no event', JSON.stringify({ ...envelope, event: undefined }), /event/],
    ['an unknown event type', withEvent({ type: 'AgencyRenamed', code102: 'x' }), /unknown event type "AgencyRenamed"/],
    ['an event without a type', withEvent({ client }), /unknown event type/],
    ['an event missing a field', withEvent({ type: 'AccessGranted', client }), /AccessGranted.*service/],
    ['a field of the wrong type', withEvent({ type: 'CredentialIssued', client, keyId: 1, keyHash: 'h' }), /CredentialIssued.*keyId/],
    ['a role outside client/provider', withEvent({ type: 'SubsystemRegistered', subsystem: client, agency: 'a', name: 'n', role: 'admin' }), /role/],
  ])('given a malformed record (%s), when parsed, then a reason and no throw', (_what, text, reason) => {
    let r: ReturnType<typeof parseRegistryEnvelope> | undefined;
    expect(() => (r = parseRegistryEnvelope(text))).not.toThrow();
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });
});
