import { Fault, fault, FaultTypes, isAgencyCode, RegistryViewState, SignatureCheck, Topics } from '@ndxp/contracts';

export type OriginRefusal = 'unsigned' | 'bad-signature' | 'not-an-lgsp' | 'wrong-lgsp';
export const ORIGIN_REFUSALS: readonly OriginRefusal[] = ['unsigned', 'bad-signature', 'not-an-lgsp', 'wrong-lgsp'];

export type OriginRefused = { trusted: false; reason: OriginRefusal; fault: Fault };
export type OriginDecision = { trusted: true } | OriginRefused;

/** The `lgsp` field of a request body as a message may quote it: an agency code, else none (a forged field must not fill the log). */
export function namedLgsp(body: unknown): string | undefined {
  const lgsp = (body as { lgsp?: unknown } | null | undefined)?.lgsp;
  return typeof lgsp === 'string' && isAgencyCode(lgsp) ? lgsp : undefined;
}

/**
 * The refusal of a request without a valid signature: none (MissingSignature) or one that does not verify with the key
 * of the LGSP it names (InvalidSignatureValue): signed for another LGSP, with another platform key, or altered.
 */
export function signatureRefusal(signature: Exclude<SignatureCheck, 'valid'>, lgsp?: string): OriginRefused {
  if (signature === 'missing')
    return {
      trusted: false,
      reason: 'unsigned',
      fault: fault(FaultTypes.missingSignature, "the request to the hub is not signed: LGSP gateways sign with their LGSP's key, derived from PLATFORM_SIGNING_KEY"),
    };
  const message =
    lgsp === undefined
      ? 'the request to the hub names no LGSP (its lgsp field is no agency code), whose key could verify its signature'
      : `the signature of the request to the hub does not verify with the key of LGSP ${lgsp}, which the request names: a gateway signs with the key of the LGSP ` +
        'it forwards for (derived from PLATFORM_SIGNING_KEY, or given in LGSP_SIGNING_KEYS), and the hub must share PLATFORM_SIGNING_KEY';
  return { trusted: false, reason: 'bad-signature', fault: fault(FaultTypes.invalidSignature, message) };
}

/**
 * Does a request come from the LGSP it names? The hub's part of X-Road's
 * server-side checks before the grant: the message is signed with the key of
 * the LGSP its `lgsp` field names (none, or a signature that does not verify
 * with that key, is refused as the reference refuses a missing or invalid
 * signature: a gateway cannot speak for an LGSP whose key it does not hold), the `lgsp` field names an agency
 * the registry has as an LGSP, and the client is a member of that LGSP (a
 * gateway forwards only its own members' calls: the reference refuses a
 * client not registered at the sending security server with
 * SslAuthenticationFailed). Pure: the registry view and the signature verdict in.
 */
export function decideOrigin(registry: Pick<RegistryViewState, 'agencies'>, req: { lgsp?: unknown; client?: unknown }, signature: SignatureCheck): OriginDecision {
  if (signature !== 'valid') return signatureRefusal(signature, namedLgsp(req));
  const lgsp = typeof req.lgsp === 'string' ? req.lgsp : '';
  if (!registry.agencies.get(lgsp)?.hasLgsp)
    return {
      trusted: false,
      reason: 'not-an-lgsp',
      fault: fault(FaultTypes.originNotAuthenticated, `the request names ${JSON.stringify(lgsp)} as its LGSP, which the registry has as no LGSP`),
    };
  const member = typeof req.client === 'string' ? req.client.split('/')[2] : undefined;
  if (member !== lgsp)
    return {
      trusted: false,
      reason: 'wrong-lgsp',
      fault: fault(FaultTypes.originNotAuthenticated, `client ${String(req.client)} is not a member of LGSP ${lgsp}, which sent the request`),
    };
  return { trusted: true };
}

/**
 * May the hub answer a request it could not authenticate? Only on an LGSP
 * reply topic: the reply topic is the sender's to choose, and a forged one
 * must not make the hub write to any other topic (the registry's, the ledger's).
 */
export const mayAnswerUnauthenticated = (replyTo: string): boolean => replyTo.startsWith(Topics.lgspReplies(''));
