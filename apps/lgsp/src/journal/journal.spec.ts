import { entryBytes, JournalEntry, matches, RequestJournal } from './journal';

let t = 1_700_000_000_000;
const entry = (o: Partial<JournalEntry> = {}): Omit<JournalEntry, 'seq'> => ({
  startedAt: t++,
  timeMs: 3,
  timings: { send: 1, wait: 2, receive: 0 },
  transactionId: 'tx',
  client: 'VN/GOV/000.00.00.H26/MOTCUA',
  service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup',
  xRoadId: 'x-1',
  lgsp: '000.00.00.H26',
  owner: 'VN/GOV/000.00.00.H26/MOTCUA',
  outcome: 'answered',
  replayed: false,
  request: { method: 'GET', url: 'http://h/r1/x', httpVersion: '1.1', headers: [] },
  response: { status: 200, headers: [], body: { size: 2, mimeType: 'application/json', text: '{}' } },
  ...o,
});

describe('the request journal ring', () => {
  it('keeps the latest entries up to its count, drops the oldest and counts them', () => {
    const drops: number[] = [];
    const j = new RequestJournal(3, 1 << 20, (n) => drops.push(n));
    for (let i = 1; i <= 5; i++) j.add(entry({ xRoadId: `x-${i}` }));
    expect(j.find().map((e) => e.xRoadId)).toEqual(['x-3', 'x-4', 'x-5']);
    expect(j.find().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(j.size).toBe(3);
    expect(j.dropped).toBe(2);
    expect(drops).toEqual([1, 1]);
  });

  it('keeps the memory under its byte bound, dropping as many old entries as a large one needs', () => {
    const small = entryBytes({ ...entry(), seq: 1 });
    const j = new RequestJournal(100, small * 4);
    for (let i = 0; i < 4; i++) j.add(entry());
    expect(j.size).toBe(4);
    const big = entry({ response: { status: 200, headers: [], body: { size: 1, mimeType: 'text/plain', text: 'x'.repeat(small) } } });
    j.add(big);
    expect(j.bytes).toBeLessThanOrEqual(small * 4);
    expect(j.size).toBe(2);
    expect(j.dropped).toBe(3);
  });

  it('drops at once an entry larger than the whole bound, and everything when it holds none (JOURNAL_MAX_ENTRIES=0)', () => {
    const j = new RequestJournal(10, 500);
    expect(j.add(entry({ request: { method: 'GET', url: 'u'.repeat(1000), httpVersion: '1.1', headers: [] } }))).toBe(false);
    expect(j.size).toBe(0);
    expect(j.dropped).toBe(1);
    const off = new RequestJournal(0, 1 << 20);
    expect(off.add(entry())).toBe(false);
    expect(off.find()).toEqual([]);
    expect(off.dropped).toBe(1);
  });

  it('wraps around many times and still lists oldest first; limit gives the latest', () => {
    const j = new RequestJournal(7, 1 << 24);
    for (let i = 1; i <= 100; i++) j.add(entry({ xRoadId: `x-${i}` }));
    expect(j.find().map((e) => e.xRoadId)).toEqual([94, 95, 96, 97, 98, 99, 100].map((i) => `x-${i}`));
    expect(j.find({ limit: 2 }).map((e) => e.xRoadId)).toEqual(['x-99', 'x-100']);
    j.clear();
    expect(j.size).toBe(0);
    expect(j.bytes).toBe(0);
  });
});

describe('journal filters', () => {
  const e = { ...entry({ startedAt: 1000, outcome: 'fault', faultCode: 'Server.ClientProxy.SslAuthenticationFailed' }), seq: 1 };
  it.each([
    [{}, true],
    [{ client: e.client }, true],
    [{ client: 'VN/GOV/000.00.00.H29/MOTCUA' }, false],
    [{ service: e.service }, true],
    [{ service: 'other' }, false],
    [{ xRoadId: 'x-1' }, true],
    [{ xRoadId: 'x-2' }, false],
    [{ from: 1000 }, true],
    [{ from: 1001 }, false],
    [{ to: 1001 }, true],
    [{ to: 1000 }, false],
    [{ outcome: 'fault' }, true],
    [{ outcome: 'answered' }, false],
    [{ outcome: 'server.clientproxy.sslauthenticationfailed' }, true],
    [{ outcome: 'Server.ServerProxy.AccessDenied' }, false],
    [{ owner: e.owner }, true],
    [{ owner: 'VN/GOV/000.00.00.H29/MOTCUA' }, false],
    [{ lgsp: '000.00.00.H26' }, true],
    [{ lgsp: '000.00.00.H29' }, false],
  ])('%j matches: %s', (f, expected) => {
    expect(matches(e, f)).toBe(expected);
  });

  it('an entry no credential owns is seen by no client reader; one whose LGSP could not be told by no operator', () => {
    expect(matches({ ...e, owner: undefined }, { owner: 'VN/GOV/000.00.00.H26/MOTCUA' })).toBe(false);
    expect(matches({ ...e, lgsp: undefined }, { lgsp: '000.00.00.H26' })).toBe(false);
  });
});
