import { PlanError } from '@ndxp/infra';

/** Options of the kit's commands: `--name value` pairs and bare flags; anything else starting with -- is refused. */
export function parseArgs(args: string[], spec: { valued: string[]; flags: string[]; command: string }): { positional: string[]; values: Map<string, string>; flags: Set<string> } {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (spec.valued.includes(a)) {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) throw new PlanError(`${a} needs a value (see 'npm run ndxp -- ${spec.command} --help')`);
      values.set(a.slice(2), v);
      i++;
    } else if (spec.flags.includes(a)) flags.add(a.slice(2));
    else if (a.startsWith('--')) throw new PlanError(`unknown option ${a} (see 'npm run ndxp -- ${spec.command} --help')`);
    else positional.push(a);
  }
  return { positional, values, flags };
}

/** An http(s) base URL, without its trailing slash. */
export function baseUrl(value: string, option: string): string {
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i.test(value)) throw new PlanError(`${option} must be an http(s) URL such as http://127.0.0.1:3003 (got "${value}")`);
  return value.replace(/\/+$/, '');
}

/** A whole number from `min`, or the default. */
export function wholeNumber(value: string | undefined, option: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) throw new PlanError(`${option} must be a whole number from ${min} (got "${value}")`);
  return n;
}

/** `path` as the user would type it, relative to the current directory when under it. */
export const shown = (path: string) => (path.startsWith(`${process.cwd()}/`) ? path.slice(process.cwd().length + 1) : path);
