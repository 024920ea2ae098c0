import { CanActivate, createParamDecorator, ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'http';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { CredentialCheck, RegistryViewService } from '../registry-view/registry-view.service';
import { bearerToken, sameSecret } from './admin.guard';
import { ApiErrorBody } from './http-errors';

/**
 * Who reads the ledger, the statistics and a gateway's request journal: the admin
 * (ADMIN_TOKEN) reads every exchange; a client subsystem, by its API key, only the
 * exchanges it made.
 */
export type LedgerReader = { kind: 'admin' } | { kind: 'client'; client: string; keyId: string };

export const LEDGER_CREDENTIAL_HELP =
  "send Authorization: Bearer <ADMIN_TOKEN> (every exchange) or X-API-Key: <a client subsystem's API key> (that subsystem's exchanges, as the LGSP gateway checks it)";

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
};

/**
 * The reader a request's headers name, or why not (always a 401: no
 * credential, or one that is not live). A bearer token that is not the admin
 * token is taken as an API key, as the gateway takes it; X-Road-Client, when
 * sent, must be the key's own subsystem.
 */
export function ledgerReaderOf(
  headers: IncomingHttpHeaders,
  isAdminToken: (token: string) => boolean,
  checkApiKey: (key: string, client?: string) => CredentialCheck,
  subject = 'the ledger and the statistics need a credential',
): LedgerReader | ApiErrorBody {
  const bearer = bearerToken({ headers } as Request);
  if (bearer && isAdminToken(bearer)) return { kind: 'admin' };
  const key = header(headers, 'x-api-key') ?? (bearer || undefined);
  if (!key) return { statusCode: 401, code: 'CREDENTIAL_REQUIRED', message: `${subject}: ${LEDGER_CREDENTIAL_HELP}` };
  const check = checkApiKey(key, header(headers, 'x-road-client'));
  if (!check.ok) return { statusCode: 401, code: 'CREDENTIAL_REFUSED', message: `${check.message}; ${LEDGER_CREDENTIAL_HELP}` };
  return { kind: 'client', client: check.client, keyId: check.keyId };
}

/** Keeps the last 3 characters of an identifier (`*********483`); a short one is hidden whole. */
export function maskIdentifier(value: string): string {
  return value.length <= 4 ? '****' : `${'*'.repeat(value.length - 3)}${value.slice(-3)}`;
}

/** Ledger fields that can identify a person: the end user (X-Road-UserId) and the case reference (X-Road-Issue). */
export const PERSONAL_FIELDS = ['userId', 'issue'] as const;

/** A ledger row as `reader` may see it: personal identifiers masked for everyone but the admin. */
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
    const reader = ledgerReaderOf(
      req.headers,
      (t) => sameSecret(t, this.config.ADMIN_TOKEN),
      (key, client) => this.registry.checkApiKey(key, client),
    );
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
