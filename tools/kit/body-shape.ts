/**
 * The shape of a body: for JSON, the set of key paths and the types of their values, not the values
 * (`$.fullName: string`, `$.branches[]: string`, `$.parentCode: null`); array elements are merged under
 * `[]`, so a list of 2 and a list of 5 of the same records have the same shape. Other bodies: their kind.
 */
export type ShapeKind = 'json' | 'text' | 'empty' | 'binary' | 'unknown';

export interface BodyShape {
  kind: ShapeKind;
  /** JSON: `path: type` lines, sorted (a path may have several types: a list mixing them). */
  paths: string[];
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** The `path: type` lines of a parsed JSON value. */
export function jsonShape(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, at: string) => {
    out.add(`${at}: ${typeOf(v)}`);
    if (Array.isArray(v)) for (const x of v) walk(x, `${at}[]`);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}`);
  };
  walk(value, '$');
  const split = (line: string) => [line.slice(0, line.lastIndexOf(': ')), line.slice(line.lastIndexOf(': ') + 2)];
  return [...out].sort((a, b) => {
    const [pa, ta] = split(a);
    const [pb, tb] = split(b);
    return pa < pb ? -1 : pa > pb ? 1 : ta < tb ? -1 : ta > tb ? 1 : 0;
  });
}

/** The shape of a body's text (undefined: none was kept, so nothing can be said of it). */
export function bodyShape(text: string | undefined, mimeType = '', encoding?: string): BodyShape {
  if (text === undefined) return { kind: 'unknown', paths: [] };
  if (encoding === 'base64') return { kind: 'binary', paths: [] };
  if (text === '') return { kind: 'empty', paths: [] };
  if (/json/i.test(mimeType) || /^\s*[[{]/.test(text)) {
    try {
      return { kind: 'json', paths: jsonShape(JSON.parse(text)) };
    } catch {
      // not JSON after all
    }
  }
  return { kind: 'text', paths: [] };
}

export interface ShapeDiff {
  same: boolean;
  /** Lines only in the new shape, and only in the recorded one. */
  added: string[];
  removed: string[];
  /** One line for a person: `$.valid: boolean → string; + $.extra: string`. */
  summary: string;
}

/** How `now` differs from `was`; a path whose type changed shows as removed and added. */
export function compareShapes(was: BodyShape, now: BodyShape): ShapeDiff {
  if (was.kind !== now.kind) return { same: false, added: [], removed: [], summary: `body ${was.kind} → ${now.kind}` };
  const before = new Set(was.paths);
  const after = new Set(now.paths);
  const added = now.paths.filter((p) => !before.has(p));
  const removed = was.paths.filter((p) => !after.has(p));
  if (added.length === 0 && removed.length === 0) return { same: true, added, removed, summary: '' };
  const pathOf = (line: string) => line.slice(0, line.lastIndexOf(': '));
  const typeOfLine = (line: string) => line.slice(line.lastIndexOf(': ') + 2);
  const parts: string[] = [];
  const changed = new Set<string>();
  for (const r of removed) {
    const a = added.find((x) => pathOf(x) === pathOf(r) && !changed.has(x));
    if (a) {
      parts.push(`${pathOf(r)}: ${typeOfLine(r)} → ${typeOfLine(a)}`);
      changed.add(a).add(r);
    }
  }
  for (const r of removed) if (!changed.has(r)) parts.push(`- ${r}`);
  for (const a of added) if (!changed.has(a)) parts.push(`+ ${a}`);
  const shown = parts.slice(0, 8).join('; ') + (parts.length > 8 ? `; and ${parts.length - 8} more` : '');
  return { same: false, added, removed, summary: shown };
}
