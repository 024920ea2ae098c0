/**
 * Where a process's CPU went, from a V8 CPU profile (`node --cpu-prof`, the `.cpuprofile` format Chrome's
 * DevTools reads): self time per function and per place (a package, a part of this project, Node's own
 * modules, the garbage collector), idle excluded. Pure, so that the table in the README can be checked.
 */

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Share of the non-idle time. */
  share: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  byPlace: SelfTime[];
  byFunction: SelfTime[];
}

const SPECIAL = new Set(['(garbage collector)', '(program)', '(root)']);

/** The place a script belongs to: a package, a part of this project, or a Node module. */
export function placeOf(url: string, functionName: string): string {
  if (SPECIAL.has(functionName)) return functionName === '(root)' ? '(program)' : functionName;
  if (!url) return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(14).split('/')[0] : url.slice(5)}`;
  const ours = /\/(apps\/[^/]+|libs\/[^/]+|tools\/[^/]+|bench)\//.exec(url);
  if (ours) return ours[1];
  return url.split('/').slice(-2).join('/');
}

function rank(totals: Map<string, number>, busyMs: number, top: number): SelfTime[] {
  return [...totals]
    .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busyMs > 0 ? ms / busyMs : 0 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
}

export function summarise(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; the sample's time is charged to the node it hit.
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000));
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busyMs += ms;
    const place = placeOf(url, functionName);
    places.set(place, (places.get(place) ?? 0) + ms);
    const fn = `${functionName || '(anonymous)'} ${place}${url && !SPECIAL.has(functionName) ? `:${lineNumber + 1}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
  }
  return { wallMs: (profile.endTime - profile.startTime) / 1000, busyMs: Math.round(busyMs), byPlace: rank(places, busyMs, top), byFunction: rank(functions, busyMs, top) };
}

/** A Markdown table of the places, with the process's busy share of its wall time. */
export function placeTable(name: string, s: ProfileSummary): string {
  const rows = s.byPlace.map((p) => `| ${p.name} | ${p.ms} | ${(p.share * 100).toFixed(1)} % |`);
  return [
    `${name}: busy ${s.busyMs} ms of ${Math.round(s.wallMs)} ms (${((s.busyMs / s.wallMs) * 100).toFixed(0)} % of a core)`,
    '',
    '| where | self ms | share of busy |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}
