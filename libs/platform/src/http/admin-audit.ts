import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Request, Response } from 'express';
import {
  AdminAuditEvent,
  adminAuditEventId,
  AdminChangeAnswered,
  AdminRequestFacts,
  AdminScope,
  auditSummary,
  MAX_ROUTE_CHARS,
  serializeAdminAuditEvent,
  Topics,
} from '@ndxp/contracts';
import { APP_NAME } from '../health/health.controller';
import { KafkaService } from '../kafka/kafka.service';
import { ApiErrorBody } from './http-errors';
import { RefusalWindows } from './refusal-windows';
import { settlesWithin } from '../util/promises';

/** How long an admin change waits for Kafka to acknowledge its audit record; past it the change is refused (503), unapplied. */
export const AUDIT_WAIT_MS = 3000;

/**
 * The outcome of an admin request whose client closed the connection before the answer was out (nginx's
 * code): the answer was never delivered. An allowed change may still have been applied (its intent is recorded).
 */
export const CLIENT_CLOSED_REQUEST = 499;

/** Reads change nothing: every other method to an admin API is audited. */
export const isAdminChange = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());

/** Who is asking, as the admin guard found it. */
export interface AdminCaller {
  scope: AdminScope;
  /** The variable whose token was presented (adminCredentialOf), never the token. */
  credential: string;
  allowed: boolean;
}

const AUDITED = Symbol('ndxp:admin-audited');

/**
 * Records admin changes on `ndxp.admin-audit`; AdminGuard calls it for every
 * admin request but reads, so an admin API cannot exist without it.
 *
 * Write-ahead: an allowed change is recorded (AdminChangeRequested) and
 * acknowledged by Kafka before its handler runs. Without the acknowledgement
 * within AUDIT_WAIT_MS the change is refused with 503 and never applied: no
 * admin change takes effect unaudited, and the 503 is safe to retry (nothing
 * happened). The outcome (AdminChangeAnswered, with the status sent) follows
 * once the answer is out, or with 499 once the client has closed the
 * connection before it (CLIENT_CLOSED_REQUEST), best effort: the change is done by then, and
 * turning its answer into an error would invite a retry that repeats it (a
 * second API key, say). The producer retries it for 30 s; a loss is logged and
 * counted in kafka_produce_errors_total{topic="ndxp.admin-audit"}, and the
 * trail shows the change without an outcome. A refused attempt (401) has only
 * the outcome record: nothing was applied, so its answer never waits for Kafka.
 * Refused attempts are recorded at most once every 10 s per remote address, the
 * record carrying how many it stands for (RefusalWindows): a loop of them
 * cannot grow the trail without bound nor queue ahead of the admins' records.
 */
@Injectable()
export class AdminAudit {
  private readonly logger = new Logger(AdminAudit.name);
  /** AUDIT_WAIT_MS; a test shortens it. */
  waitMs = AUDIT_WAIT_MS;
  /** The outcomes of refused attempts, by remote address (a test shortens its window). */
  readonly refusals = new RefusalWindows<AdminChangeAnswered>((e, count) => this.sendAnswer(count > 1 ? { ...e, count } : e));

  constructor(
    private readonly kafka: KafkaService,
    @Inject(APP_NAME) private readonly app: { name: string; instance: string },
  ) {
    // Before the producer's last flush: the refusals counted and not yet recorded go out with it.
    kafka.onShutdown(async () => this.refusals.flush());
  }

  /** Records the request's outcome when its answer is sent and, when it is let through, its intent before; throws 503 when that cannot be recorded. */
  async record(req: Request, res: Response, caller: AdminCaller): Promise<void> {
    const marked = req as Request & { [AUDITED]?: true };
    if (marked[AUDITED]) return; // a guard applied twice (controller and handler): one record
    marked[AUDITED] = true;
    const facts = this.factsOf(req, caller);
    // 'finish' once the answer is out; 'close' too, which alone says that the client went away first: one outcome either way.
    let recorded = false;
    const answered = (statusCode: number) => {
      if (recorded) return;
      recorded = true;
      this.answered(facts, statusCode);
    };
    res.once('finish', () => answered(res.statusCode));
    res.once('close', () => answered(res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST));
    if (caller.allowed && !(await this.requested(facts))) {
      this.logger.warn(`refused ${facts.method} ${facts.route} (${facts.credential}): its audit record was not acknowledged by Kafka within ${this.waitMs} ms`);
      throw new HttpException(unaudited(this.waitMs), 503);
    }
  }

  /** Whether Kafka acknowledged the intent within waitMs. Unacknowledged, it may still land later: its outcome (the 503) follows it. */
  private requested(facts: AdminRequestFacts): Promise<boolean> {
    const e: AdminAuditEvent = { type: 'AdminChangeRequested', eventId: adminAuditEventId(facts.auditId, 'AdminChangeRequested'), at: facts.requestedAt, ...facts };
    return settlesWithin(this.send(e), this.waitMs);
  }

  private factsOf(req: Request, caller: AdminCaller): AdminRequestFacts {
    return {
      auditId: randomUUID(),
      requestedAt: Date.now(),
      app: this.app.name,
      instance: this.app.instance,
      scope: caller.scope,
      method: req.method.toUpperCase().slice(0, 16),
      route: (req.originalUrl ?? req.url).split('?')[0].slice(0, MAX_ROUTE_CHARS),
      credential: caller.credential,
      remoteAddress: (req.ip ?? req.socket?.remoteAddress ?? '').slice(0, 64),
      allowed: caller.allowed,
      summary: auditSummary({ query: req.query, body: req.body }),
    };
  }

  private answered(facts: AdminRequestFacts, statusCode: number): void {
    const at = Date.now();
    const e: AdminChangeAnswered = {
      type: 'AdminChangeAnswered',
      eventId: adminAuditEventId(facts.auditId, 'AdminChangeAnswered'),
      at,
      ...facts,
      statusCode,
      durationMs: at - facts.requestedAt,
    };
    if (facts.allowed) this.sendAnswer(e);
    else this.refusals.refused(facts.remoteAddress, e);
  }

  private sendAnswer(e: AdminChangeAnswered): void {
    this.send(e).catch((err: Error) =>
      this.logger.error(`the outcome (${e.statusCode}) of admin change ${e.auditId}, ${e.method} ${e.route} by ${e.credential}, was not recorded: ${err.message}`),
    );
  }

  private send(e: AdminAuditEvent): Promise<void> {
    return this.kafka.batching.send(Topics.adminAudit, { key: e.auditId, value: serializeAdminAuditEvent(e) });
  }
}

function unaudited(waitMs: number): ApiErrorBody {
  return {
    statusCode: 503,
    code: 'ADMIN_AUDIT_UNAVAILABLE',
    message: `not applied: the audit record of this admin change was not acknowledged by Kafka within ${waitMs} ms; try again once the broker is back`,
  };
}
