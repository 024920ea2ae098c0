/**
 * The emulator's own request header, `X-Emulator-Fault`: a test client asks for a fault aimed at this one
 * request. Never forwarded to the provider; honoured only for client subsystems the registry marks as
 * test clients. Items are separated by `;` or `,`:
 *
 * - `latency=800ms` (or `1.5s`, or a bare number of ms): the provider answers that much later;
 * - `status=503`: the provider's own answer, with that status;
 * - `fault=Server.ServerProxy.NetworkError`: a platform fault with that X-Road code;
 * - `timeout`: no answer (the platform's deadline passes);
 * - `reset`: the connection is closed with no answer;
 * - `slow-body=2000ms`: the answer's body trickles out over that time.
 *
 * At most one of status, fault, timeout and reset; slow-body not with timeout or reset.
 */
export const FAULT_HEADER = 'x-emulator-fault';

/** The longest delay a header (or a rule) may ask for, in ms. */
export const MAX_INJECTED_DELAY_MS = 60_000;

/** What the provider does with one request: the part of an injected fault carried to it through the hub. */
export interface ProviderInjection {
  latencyMs?: number;
  /** Answer with this status (the provider's own answer, no X-Road-Error). */
  status?: number;
  /** Never answer. */
  timeout?: true;
}

export interface InjectedFault extends ProviderInjection {
  /** A platform fault with this code. */
  fault?: string;
  /** Close the connection with no answer. */
  reset?: true;
  /** Send the answer's body over this many ms. */
  slowBodyMs?: number;
}

export type InjectedFaultParse = { ok: true; value: InjectedFault } | { ok: false; message: string };

const DURATION = /^(\d{1,6}(?:\.\d{1,3})?)(ms|s)?$/i;
/** An X-Road fault code in either style: `Server.ServerProxy.NetworkError`, `server.serverproxy.network_error`. */
const FAULT_CODE = /^(Server|Client)(\.[A-Za-z][A-Za-z0-9_]{0,63}){1,3}$/i;

function duration(v: string): number | undefined {
  const m = DURATION.exec(v);
  if (!m) return undefined;
  const ms = Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 's' ? 1000 : 1));
  return ms <= MAX_INJECTED_DELAY_MS ? ms : undefined;
}

/** Parses the header's value. Pure; junk is refused with a message that says what is expected. */
export function parseInjectedFault(text: string): InjectedFaultParse {
  const bad = (message: string): InjectedFaultParse => ({ ok: false, message: `X-Emulator-Fault: ${message}` });
  if (text.length > 300) return bad('at most 300 characters');
  const items = text
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return bad('empty; expected latency=800ms, status=503, fault=<X-Road fault code>, timeout, reset or slow-body=<ms>, combined with ; or ,');
  const f: InjectedFault = {};
  const seen = new Set<string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : item.slice(eq + 1).trim();
    const quoted = JSON.stringify(item.slice(0, 60));
    if (seen.has(name)) return bad(`${name} is given twice`);
    seen.add(name);
    const needsValue = ['latency', 'status', 'fault', 'slow-body'].includes(name);
    if (needsValue && !value) return bad(`${quoted} needs a value (${name}=…)`);
    if (!needsValue && value !== undefined) return bad(`${quoted}: ${name} takes no value`);
    switch (name) {
      case 'latency':
      case 'slow-body': {
        const ms = duration(value!);
        if (ms === undefined) return bad(`${quoted}: a duration such as 800ms or 1.5s, at most ${MAX_INJECTED_DELAY_MS} ms`);
        if (name === 'latency') f.latencyMs = ms;
        else f.slowBodyMs = ms;
        break;
      }
      case 'status':
        if (!/^[1-5]\d\d$/.test(value!) || Number(value) < 200) return bad(`${quoted}: an HTTP status from 200 to 599`);
        f.status = Number(value);
        break;
      case 'fault':
        if (!FAULT_CODE.test(value!)) return bad(`${quoted}: an X-Road fault code such as Server.ServerProxy.NetworkError`);
        f.fault = value;
        break;
      case 'timeout':
        f.timeout = true;
        break;
      case 'reset':
        f.reset = true;
        break;
      default:
        return bad(`unknown item ${quoted}; expected latency, status, fault, timeout, reset or slow-body`);
    }
  }
  const answers = (['status', 'fault', 'timeout', 'reset'] as const).filter((k) => f[k] !== undefined);
  if (answers.length > 1) return bad(`${answers.join(' and ')} cannot be combined: a request gets one answer`);
  if (f.slowBodyMs !== undefined && (f.timeout || f.reset)) return bad('slow-body needs an answer: not with timeout or reset');
  return { ok: true, value: f };
}

/** The fault in the header's own grammar, in a fixed order: what the ledger records as injected. */
export function describeInjectedFault(f: InjectedFault): string {
  return [
    f.latencyMs !== undefined ? `latency=${f.latencyMs}ms` : '',
    f.status !== undefined ? `status=${f.status}` : '',
    f.fault !== undefined ? `fault=${f.fault}` : '',
    f.timeout ? 'timeout' : '',
    f.reset ? 'reset' : '',
    f.slowBodyMs !== undefined ? `slow-body=${f.slowBodyMs}ms` : '',
  ]
    .filter((s) => s !== '')
    .join(';');
}

/** The part the provider acts on, or undefined when there is none. */
export function providerInjection(f: InjectedFault): ProviderInjection | undefined {
  const p: ProviderInjection = {
    ...(f.latencyMs ? { latencyMs: f.latencyMs } : {}),
    ...(f.status !== undefined ? { status: f.status } : {}),
    ...(f.timeout ? { timeout: true as const } : {}),
  };
  return Object.keys(p).length > 0 ? p : undefined;
}

/**
 * A provider injection as it arrives off Kafka (signed by the hub, still checked): only well-formed fields
 * are kept, so a bad one changes nothing rather than failing the request.
 */
export function readProviderInjection(v: unknown): ProviderInjection | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  const p: ProviderInjection = {
    ...(Number.isInteger(r.latencyMs) && (r.latencyMs as number) > 0 && (r.latencyMs as number) <= MAX_INJECTED_DELAY_MS ? { latencyMs: r.latencyMs as number } : {}),
    ...(Number.isInteger(r.status) && (r.status as number) >= 200 && (r.status as number) <= 599 ? { status: r.status as number } : {}),
    ...(r.timeout === true ? { timeout: true as const } : {}),
  };
  return Object.keys(p).length > 0 ? p : undefined;
}
