import { CanActivate, ExecutionContext, HttpException, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'crypto';
import type { Request, Response } from 'express';
import { AdminScope, NO_CREDENTIAL, UNRECOGNIZED_CREDENTIAL } from '@ndxp/contracts';
import { AppConfig } from '../config/app-config';
import { AdminAudit, isAdminChange } from './admin-audit';
import { ApiErrorBody } from './http-errors';

/**
 * What an admin API changes (libs/contracts' ADMIN_SCOPES). `registry` (the default) takes ADMIN_TOKEN only;
 * `faults` and `projection` also take their own token when one is set, so an
 * operator who may break a database on purpose need not hold the registry's key.
 */
export type { AdminScope };

const SCOPE_TOKEN = { faults: 'FAULTS_ADMIN_TOKEN', projection: 'PROJECTION_ADMIN_TOKEN' } as const;
const SCOPE_KEY = 'ndxp:admin-scope';

/** Marks a controller or a handler with the scope its admin API needs (AdminGuard reads it). */
export const AdminScoped = (scope: AdminScope) => SetMetadata(SCOPE_KEY, scope);

type AdminTokens = Pick<AppConfig, 'ADMIN_TOKEN' | 'FAULTS_ADMIN_TOKEN' | 'PROJECTION_ADMIN_TOKEN'>;

/** The variables whose token opens `scope`: ADMIN_TOKEN always, the scope's own when it is set. */
export function adminTokenNames(config: AdminTokens, scope: AdminScope): string[] {
  const own = scope === 'registry' ? undefined : SCOPE_TOKEN[scope];
  return own && config[own] ? ['ADMIN_TOKEN', own] : ['ADMIN_TOKEN'];
}

/** Constant-time comparison of a presented secret with the expected one. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `token` opens an admin API of `scope`. */
export function adminTokenAllows(config: AdminTokens, scope: AdminScope, token: string): boolean {
  // every candidate compared (no early exit): the time does not say which one matched
  return adminTokenNames(config, scope)
    .map((n) => sameSecret(token, config[n as keyof AdminTokens] ?? ''))
    .some(Boolean);
}

const ADMIN_TOKEN_NAMES = ['ADMIN_TOKEN', 'FAULTS_ADMIN_TOKEN', 'PROJECTION_ADMIN_TOKEN'] as const;

/**
 * Which admin token `token` is, by its variable's name (ADMIN_TOKEN first when two are set alike), whatever the
 * scope asked: `none` without a token, `unrecognized` for one that is no admin token. For the audit trail, which
 * names the credential and never holds it.
 */
export function adminCredentialOf(config: AdminTokens, token: string): string {
  if (!token) return NO_CREDENTIAL;
  // every name compared (no early exit), as in adminTokenAllows
  const matches = ADMIN_TOKEN_NAMES.map((n) => sameSecret(token, config[n] ?? ''));
  const i = matches.indexOf(true);
  return i < 0 ? UNRECOGNIZED_CREDENTIAL : ADMIN_TOKEN_NAMES[i];
}

/** The token of `Authorization: Bearer <token>`, or '' without one. */
export function bearerToken(req: Pick<Request, 'headers'>): string {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() : '';
}

/**
 * Admin APIs need `Authorization: Bearer <ADMIN_TOKEN>` (or the scope's own
 * token, see AdminScoped). Connector API keys are a different secret, so no
 * connector can change the registry or the faults.
 *
 * Every admin change (any method but a read), let through or refused, is
 * audited here (AdminAudit), the one place every admin API passes: Nest runs
 * guards before interceptors, so a refusal is seen nowhere else, and an admin
 * API added later is audited without a line of its own.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly reflector: Reflector,
    private readonly audit: AdminAudit,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.getAllAndOverride<AdminScope | undefined>(SCOPE_KEY, [ctx.getHandler(), ctx.getClass()]) ?? 'registry';
    const req = ctx.switchToHttp().getRequest<Request>();
    const token = bearerToken(req);
    const allowed = adminTokenAllows(this.config, scope, token);
    if (isAdminChange(req.method)) await this.audit.record(req, ctx.switchToHttp().getResponse<Response>(), { scope, credential: adminCredentialOf(this.config, token), allowed });
    if (!allowed) {
      const names = adminTokenNames(this.config, scope).map((n) => `<${n}>`);
      throw new HttpException(
        { statusCode: 401, code: 'ADMIN_TOKEN_REQUIRED', message: `admin API: send Authorization: Bearer ${names.join(' or ')}` } satisfies ApiErrorBody,
        401,
      );
    }
    return true;
  }
}
