import { CanActivate, createParamDecorator, ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'http';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { CredentialCheck, OperatorCheck, RegistryViewService } from '../registry-view/registry-view.service';
import { bearerToken, sameSecret } from './admin.guard';
import { ApiErrorBody } from './http-errors';

/**
 * Who reads the ledger, the statistics and a gateway's request journal: the admin
 * (ADMIN_TOKEN) reads every exchange; an LGSP's operator, by its operator key, the
 * exchanges of that LGSP; a client subsystem, by its API key, only the exchanges it made.
 */
export type LedgerReader = { kind: 'admin' } | { kind: 'operator'; lgsp: string; keyId: string } | { kind: 'client'; client: string; keyId: string };

export const LEDGER_CREDENTIAL_HELP =
  "send Authorization: Bearer <ADMIN_TOKEN> (every exchange), or X-API-Key: <an LGSP operator's key> (that LGSP's exchanges) " +
  "or <a client subsystem's API key> (that subsystem's exchanges, as the LGSP gateway checks it)";

/** What a reader's credential is checked against: the admin token, and the registry's keys. */
export interface ReaderChecks {
  isAdminToken: (token: string) => boolean;
  checkApiKey: (key: string, client?: string) => CredentialCheck;
  checkOperatorKey: (key: string) => OperatorCheck;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
};

const refused = (message: string): ApiErrorBody => ({ statusCode: 401, code: 'CREDENTIAL_REFUSED', message: `${message}; ${LEDGER_CREDENTIAL_HELP}` });

/** An operator's key, live or revoked: it speaks for no client, so X-Road-Client with it is refused rather than ignored. */
function operatorReader(check: OperatorCheck, client: string | undefined): LedgerReader | ApiErrorBody {
  if (!check.ok) return refused(check.message);
  if (client !== undefined) return refused(`the key is LGSP ${check.lgsp}'s operator's, which speaks for no client subsystem: send it without X-Road-Client`);
  return { kind: 'operator', lgsp: check.lgsp, keyId: check.keyId };
}

/**
 * The reader a request's headers name, or why not (always a 401: no
 * credential, or one that is not live). A bearer token that is not the admin
 * token is taken as an API key, as the gateway takes it; X-Road-Client, when
 * sent, must be a client key's own subsystem.
 */
export function ledgerReaderOf(headers: IncomingHttpHeaders, checks: ReaderChecks, subject = 'the ledger and the statistics need a credential'): LedgerReader | ApiErrorBody {
  const bearer = bearerToken({ headers } as Request);
  if (bearer && checks.isAdminToken(bearer)) return { kind: 'admin' };
  const key = header(headers, 'x-api-key') ?? (bearer || undefined);
  if (!key) return { statusCode: 401, code: 'CREDENTIAL_REQUIRED', message: `${subject}: ${LEDGER_CREDENTIAL_HELP}` };
  const client = header(headers, 'x-road-client');
  const operator = checks.checkOperatorKey(key);
  if (operator.ok || operator.reason === 'revoked-key') return operatorReader(operator, client);
  const check = checks.checkApiKey(key, client);
  if (!check.ok) return refused(check.message);
  return { kind: 'client', client: check.client, keyId: check.keyId };
}

/** The checks of this process: ADMIN_TOKEN, and the keys in its registry view. */
export function readerChecks(config: Pick<AppConfig, 'ADMIN_TOKEN'>, registry: Pick<RegistryViewService, 'checkApiKey' | 'checkOperatorKey'>): ReaderChecks {
  return {
    isAdminToken: (t) => sameSecret(t, config.ADMIN_TOKEN),
    checkApiKey: (key, client) => registry.checkApiKey(key, client),
    checkOperatorKey: (key) => registry.checkOperatorKey(key),
  };
}

/** Keeps the last 3 characters of an identifier (`*********483`); a short one is hidden whole. */
export function maskIdentifier(value: string): string {
  return value.length <= 4 ? '****' : `${'*'.repeat(value.length - 3)}${value.slice(-3)}`;
}

/** Ledger fields that can identify a person: the end user (X-Road-UserId) and the case reference (X-Road-Issue). */
export const PERSONAL_FIELDS = ['userId', 'issue'] as const;

/** A ledger row as `reader` may see it: personal identifiers masked for everyone but the admin (an LGSP's operator included). */
export function rowFor(reader: LedgerReader, row: Record<string, unknown>): Record<string, unknown> {
  if (reader.kind === 'admin') return row;
  const out = { ...row };
  for (const f of PERSONAL_FIELDS) if (typeof out[f] === 'string') out[f] = maskIdentifier(out[f] as string);
  return out;
}

type WithReader = Request & { ledgerReader?: LedgerReader };

/** Requires a ledger credential and leaves the reader on the request (see LedgerReaderOf). */
@Injectable()
export class LedgerReadGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: RegistryViewService,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<WithReader>();
    const reader = ledgerReaderOf(req.headers, readerChecks(this.config, this.registry));
    if ('code' in reader) throw new HttpException(reader, reader.statusCode);
    req.ledgerReader = reader;
    return true;
  }
}

/** The reader LedgerReadGuard found. */
export const LedgerReaderOf = createParamDecorator((_: unknown, ctx: ExecutionContext): LedgerReader => {
  const reader = ctx.switchToHttp().getRequest<WithReader>().ledgerReader;
  if (!reader) throw new Error('LedgerReaderOf used on a route without LedgerReadGuard');
  return reader;
});
