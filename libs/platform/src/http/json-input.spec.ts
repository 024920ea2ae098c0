import { BadRequestException } from '@nestjs/common';
import { JsonInputPipe, jsonInputProblem, MAX_JSON_DEPTH } from './json-input';

const nested = (depth: number): unknown => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

describe('request input a handler must never see', () => {
  it('given a NUL in a field, then the field is named', () => {
    expect(jsonInputProblem({ subsystem: 'VN/GOV/x/Y', name: 'a\u0000b' })).toEqual({ field: 'name', message: 'name: must not contain a NUL character (U+0000)' });
    expect(jsonInputProblem({ items: [{ code: 'ok' }, { code: '\u0000' }] })).toMatchObject({ field: 'items[1].code' });
    expect(jsonInputProblem({ 'a\u0000': 1 })).toMatchObject({ message: expect.stringMatching(/field name must not contain a NUL/) });
  });

  it('given nesting 100 000 deep, then refused without running out of stack; 32 levels are fine', () => {
    expect(jsonInputProblem(nested(100_000))).toEqual({ field: expect.stringMatching(/^a\.a\.a/), message: expect.stringMatching(/nested deeper than 32 levels$/) });
    expect(jsonInputProblem(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toMatchObject({ message: expect.stringMatching(/nested deeper/) });
    expect(jsonInputProblem(nested(MAX_JSON_DEPTH - 1))).toBeUndefined();
  });

  it('given ordinary bodies, then nothing', () => {
    for (const v of [undefined, null, 'text', 7, { client: 'VN/GOV/000.00.00.H26/MOTCUA', expectedVersion: 2 }, ['a', { b: ['c'] }]]) expect(jsonInputProblem(v)).toBeUndefined();
  });

  it('as a pipe: a 400 VALIDATION_FAILED for a body or query, other parameters untouched', () => {
    const pipe = new JsonInputPipe();
    expect(() => pipe.transform({ name: 'a\u0000' }, { type: 'body' })).toThrow(BadRequestException);
    try {
      pipe.transform({ client: '\u0000' }, { type: 'query' });
    } catch (e) {
      expect((e as BadRequestException).getResponse()).toEqual({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: 'client: must not contain a NUL character (U+0000)',
        field: 'client',
        fields: [{ field: 'client', problems: ['must not contain a NUL character (U+0000)'] }],
      });
    }
    expect(pipe.transform('a\u0000', { type: 'param' })).toBe('a\u0000');
  });
});
