import { DEFAULT_SEED_SECRET, looksLikePlatformKey, newApiKey, newOperatorKey, seedApiKey } from './credentials';

describe('the look of a platform key', () => {
  it('given each kind of key the platform issues (a client subsystem’s, seeded or new, and an LGSP operator’s), then it looks like one', () => {
    for (const key of [newApiKey(), seedApiKey(DEFAULT_SEED_SECRET, 'VN/GOV/000.00.00.H26/MOTCUA'), newOperatorKey()]) expect(looksLikePlatformKey(key)).toBe(true);
  });

  it.each(['ndxp_short', 'ndxpop_short', 'ndxp-admin-dev-token', 'ndxpx_0123456789abcdefghijABCDEFGHIJ', 'ndxp_0123456789abcdefghij ABCDEF', ''])(
    'given %j, then it does not',
    (text) => expect(looksLikePlatformKey(text)).toBe(false),
  );
});
