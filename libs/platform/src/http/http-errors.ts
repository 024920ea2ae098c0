import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, HttpException, Logger, ValidationError } from '@nestjs/common';
import type { Response } from 'express';
import { DOMAIN_ERROR_STATUS, DomainError } from './domain-error';

/** The error body of every admin and query API: a stable code, a message, the field at fault. */
export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  field?: string;
  fields?: Array<{ field: string; problems: string[] }>;
}

function flatten(errors: ValidationError[], prefix = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** ValidationPipe errors as `{code: VALIDATION_FAILED, message naming each field}`. */
export function validationExceptionFactory(errors: ValidationError[]): BadRequestException {
  const fields = flatten(errors);
  return new BadRequestException({
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(' | '),
    field: fields[0]?.field,
    fields,
  } satisfies ApiErrorBody);
}

/** Maps domain refusals and HTTP exceptions to ApiErrorBody; anything else is a logged 500, never a crash. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let body: ApiErrorBody;
    if (exception instanceof DomainError) {
      body = { statusCode: DOMAIN_ERROR_STATUS[exception.code], code: exception.code, message: exception.message, field: exception.field };
    } else if (exception instanceof HttpException) {
      const r = exception.getResponse();
      const status = exception.getStatus();
      if (typeof r === 'object' && r !== null && 'code' in r) body = r as ApiErrorBody;
      else {
        const message =
          typeof r === 'string'
            ? r
            : Array.isArray((r as { message?: unknown }).message)
              ? (r as { message: string[] }).message.join('; ')
              : String((r as { message?: unknown }).message ?? exception.message);
        const code = status === 404 ? 'NOT_FOUND' : status === 401 ? 'UNAUTHORIZED' : status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 400 ? 'BAD_REQUEST' : `HTTP_${status}`;
        body = { statusCode: status, code, message };
      }
    } else {
      // express.json() reports malformed JSON and oversized bodies as errors with a status.
      const e = exception as { status?: number; type?: string; message?: string };
      if (e?.type === 'entity.parse.failed') body = { statusCode: 400, code: 'MALFORMED_JSON', message: `the body is not valid JSON: ${e.message}` };
      else if (e?.type === 'entity.too.large') body = { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: e.message ?? 'request body too large' };
      else {
        this.logger.error((exception as Error)?.stack ?? String(exception));
        body = { statusCode: 500, code: 'INTERNAL', message: 'internal error; see the app log' };
      }
    }
    res.status(body.statusCode).json(body);
  }
}
