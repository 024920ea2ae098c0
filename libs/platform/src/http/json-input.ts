import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import type { ApiErrorBody } from './http-errors';

/** Nesting no API of the platform needs: its bodies are flat records. Deeper input is refused before any code walks it. */
export const MAX_JSON_DEPTH = 32;

/**
 * What a parsed request body or query must not hold: a NUL (U+0000), which PostgreSQL's text and jsonb
 * refuse (a 500 after the fact), or nesting deeper than `maxDepth` (class-transformer and JSON.stringify
 * recurse, and run out of stack: a 500 too). The field is named as a path (`name`, `items[3].code`).
 * Iterative, so a 100 000-deep body is read without recursion.
 */
export function jsonInputProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): { field: string; message: string } | undefined {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    const field = path || '(body)';
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { field, message: `${field}: must not contain a NUL character (U+0000)` };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return { field, message: `${field}: nested deeper than ${maxDepth} levels` };
    const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x]) : Object.entries(v).map(([k, x]) => [k, x]);
    for (const [k, x] of entries) {
      if (k.includes('\u0000')) return { field: path || '(body)', message: `${path || '(body)'}: a field name must not contain a NUL character (U+0000)` };
      stack.push({ v: x, path: k.startsWith('[') ? `${path}${k}` : path ? `${path}.${k}` : k, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Refuses a body or query holding a NUL or nested too deep with 400 VALIDATION_FAILED naming the field,
 * before ValidationPipe (register it first). Runs after the guards: an unauthenticated caller still gets 401.
 */
@Injectable()
export class JsonInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    const problem = jsonInputProblem(value);
    if (!problem) return value;
    throw new BadRequestException({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: problem.message,
      field: problem.field,
      fields: [{ field: problem.field, problems: [problem.message.slice(problem.field.length + 2)] }],
    } satisfies ApiErrorBody);
  }
}
