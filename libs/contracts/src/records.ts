import { invalid, ok, Parsed } from './identifiers/result';

/**
 * What every reader of a topic shares: JSON that may be anything, checked
 * field by field against what each event type declares, and a schema
 * version. A record without `schemaVersion` is version 1 (the events written
 * before versions were stamped); a version newer than the reader's is refused
 * (a newer writer: skip it and say so, never guess); older versions are
 * upgraded by the topic's parser.
 */
export type FieldKind = 'string' | 'number' | 'boolean' | 'string?' | 'number?' | 'boolean?' | readonly string[];

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fits(v: unknown, kind: FieldKind): boolean {
  if (typeof kind !== 'string') return kind.includes(v as string);
  if (kind.endsWith('?')) return v === undefined || v === null || typeof v === kind.slice(0, -1);
  return typeof v === kind;
}

/** The fields of `e` that are missing or of the wrong kind. */
export function wrongFields(e: Record<string, unknown>, fields: Record<string, FieldKind>): string[] {
  return Object.entries(fields)
    .filter(([name, kind]) => !fits(e[name], kind))
    .map(([name]) => name);
}

/** Checks a record's type against the declared ones and its fields against the type's. */
export function checkTyped<T extends string>(e: Record<string, unknown>, declared: Record<T, Record<string, FieldKind>>): string | undefined {
  const fields = Object.hasOwn(declared, String(e.type)) ? declared[e.type as T] : undefined;
  if (!fields) return `unknown event type ${JSON.stringify(e.type)}`;
  const wrong = wrongFields(e, fields);
  return wrong.length ? `${String(e.type)} lacks or mistypes ${wrong.join(', ')}` : undefined;
}

/** Parses JSON into an object and reads its schema version; refuses one newer than `current`. */
export function readRecord(text: string, current: number): Parsed<{ value: Record<string, unknown>; version: number }> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return invalid(`not JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  if (!isObject(v)) return invalid('not an object');
  const version = v.schemaVersion ?? 1;
  if (!Number.isSafeInteger(version) || (version as number) < 1) return invalid(`schemaVersion ${JSON.stringify(v.schemaVersion)} is not a positive integer`);
  if ((version as number) > current) return invalid(`schema version ${version} is newer than this reader's (${current}): written by a newer emulator`);
  return ok({ value: v, version: version as number });
}
