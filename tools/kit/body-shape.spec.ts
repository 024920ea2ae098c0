import { bodyShape, compareShapes, jsonShape } from './body-shape';

describe('body shape', () => {
  it('given JSON, then its key paths and value types, not its values; list elements merged', () => {
    expect(jsonShape({ a: 1, b: [{ c: 'x' }, { c: 'y', d: null }], 'e-f': true })).toEqual([
      '$: object',
      '$."e-f": boolean',
      '$.a: number',
      '$.b: array',
      '$.b[]: object',
      '$.b[].c: string',
      '$.b[].d: null',
    ]);
    expect(bodyShape('{"a":1}', 'application/json')).toEqual(bodyShape('{"a":  2}', 'application/json'));
  });

  it('given other bodies, then their kind', () => {
    expect(bodyShape(undefined).kind).toBe('unknown');
    expect(bodyShape('').kind).toBe('empty');
    expect(bodyShape('<error/>', 'application/xml').kind).toBe('text');
    expect(bodyShape('{oops', 'application/json').kind).toBe('text');
    expect(bodyShape('AAEC', 'application/octet-stream', 'base64').kind).toBe('binary');
  });

  it('given the same shape, then same', () => {
    expect(compareShapes(bodyShape('{"a":[1,2]}'), bodyShape('{"a":[3]}'))).toEqual({ same: true, added: [], removed: [], summary: '' });
  });

  it('given a type change, an added and a removed key, then each said once', () => {
    const d = compareShapes(bodyShape('{"valid":true,"gone":1}'), bodyShape('{"valid":"yes","extra":"x"}'));
    expect(d.same).toBe(false);
    expect(d.summary).toBe('$.valid: boolean → string; - $.gone: number; + $.extra: string');
  });

  it('given a JSON answer that became text, then the kinds', () => {
    expect(compareShapes(bodyShape('{"a":1}'), bodyShape('<html>')).summary).toBe('body json → text');
  });
});
