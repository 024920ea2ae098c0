import { parseAgencyCode } from './agency-code';
import { parseEnterpriseCode } from './enterprise-code';
import { invalid, ok, Parsed } from './result';

/**
 * X-Road identifiers as NDXP uses them: an instance (`VN`), member class `GOV`
 * (agencies, member code = QCVN 102 agency code) or `COM` (enterprises, member
 * code = enterprise/tax code), then a subsystem; services add a service code.
 * Written `VN/GOV/000.00.00.G01/CSDLQGDC` in headers and paths, and
 * `VN:GOV:000.00.00.G01:CSDLQGDC` in the Vietnamese adapter's `dstcode`.
 *
 * The instance and the member classes differ between deployments (the public
 * record names the instance `VN` and also `XROADVN`): `XROAD_INSTANCE` and
 * `XROAD_MEMBER_CLASSES` in the environment, read once here so that every
 * identifier of a process agrees; each app's configuration validates them and
 * stops, naming the setting, when one is malformed.
 */
export interface XRoadSettings {
  instance: string;
  memberClasses: readonly string[];
}

export const DEFAULT_XROAD_INSTANCE = 'VN';
export const DEFAULT_MEMBER_CLASSES = 'GOV,COM';
export const XROAD_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The instance and member classes an environment names (defaults where it names none). */
export function xroadSettingsFrom(env: Record<string, string | undefined>): XRoadSettings {
  const instance = env.XROAD_INSTANCE?.trim() || DEFAULT_XROAD_INSTANCE;
  const memberClasses = (env.XROAD_MEMBER_CLASSES?.trim() || DEFAULT_MEMBER_CLASSES).split(',').map((c) => c.trim());
  return { instance, memberClasses };
}

const SETTINGS = xroadSettingsFrom(typeof process === 'undefined' ? {} : process.env);
export const XROAD_INSTANCE = SETTINGS.instance;
export const MEMBER_CLASSES: readonly string[] = SETTINGS.memberClasses;
export type MemberClass = string;

export interface SubsystemId {
  instance: string;
  memberClass: MemberClass;
  memberCode: string;
  subsystemCode: string;
}

export interface ServiceId extends SubsystemId {
  serviceCode: string;
}

const SUBSYSTEM = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A member: GOV codes are agency codes, COM codes enterprise codes, a configured class's codes 1-64 plain characters. */
function member(memberClass: string, memberCode: string): Parsed<{ memberClass: MemberClass; memberCode: string }> {
  if (!MEMBER_CLASSES.includes(memberClass)) return invalid(`member class "${memberClass}" must be ${MEMBER_CLASSES.join(' or ')}`);
  if (memberClass === 'GOV') {
    const a = parseAgencyCode(memberCode);
    if (!a.ok) return invalid(`member code: ${a.reason}`);
  } else if (memberClass === 'COM') {
    const e = parseEnterpriseCode(memberCode);
    if (!e.ok) return invalid(`member code: ${e.reason}`);
  } else if (!XROAD_CODE_PATTERN.test(memberCode)) return invalid(`member code "${memberCode}" must be 1-64 letters, digits, '.', '_' or '-'`);
  return ok({ memberClass, memberCode });
}

export function subsystemFromParts(parts: string[]): Parsed<SubsystemId> {
  if (parts.length !== 4) return invalid(`needs 4 parts INSTANCE/CLASS/MEMBER/SUBSYSTEM, got ${parts.length}`);
  const [instance, memberClass, memberCode, subsystemCode] = parts;
  if (instance !== XROAD_INSTANCE) return invalid(`instance "${instance}" must be ${XROAD_INSTANCE}`);
  const m = member(memberClass, memberCode);
  if (!m.ok) return m;
  if (!SUBSYSTEM.test(subsystemCode)) return invalid(`subsystem code "${subsystemCode}" must be 1-64 letters, digits, '.', '_' or '-'`);
  return ok({ instance, ...m.value, subsystemCode });
}

/** A member (3 parts: INSTANCE/CLASS/MEMBER) or a subsystem (4 parts): X-Road clients may be either. */
export type ClientId = Omit<SubsystemId, 'subsystemCode'> & { subsystemCode?: string };

export function clientFromParts(parts: string[]): Parsed<ClientId> {
  if (parts.length === 4) return subsystemFromParts(parts);
  if (parts.length !== 3) return invalid(`needs 3 parts INSTANCE/CLASS/MEMBER or 4 parts INSTANCE/CLASS/MEMBER/SUBSYSTEM, got ${parts.length}`);
  const [instance, memberClass, memberCode] = parts;
  if (instance !== XROAD_INSTANCE) return invalid(`instance "${instance}" must be ${XROAD_INSTANCE}`);
  const m = member(memberClass, memberCode);
  return m.ok ? ok({ instance, ...m.value }) : m;
}

export const clientKey = (id: ClientId): string => [id.instance, id.memberClass, id.memberCode, ...(id.subsystemCode ? [id.subsystemCode] : [])].join('/');

/** Parses `VN/GOV/000.00.00.H26/MOTCUA` (separator '/') or `VN:GOV:...` (separator ':'). */
export function parseSubsystemId(input: string, separator: '/' | ':' = '/'): Parsed<SubsystemId> {
  if (typeof input !== 'string' || input.length === 0) return invalid('is empty');
  return subsystemFromParts(input.split(separator));
}

export function parseServiceCode(input: string): Parsed<string> {
  return SERVICE.test(input) ? ok(input) : invalid(`service code "${input}" must be 1-128 letters, digits, '.', '_' or '-'`);
}

export function subsystemKey(id: SubsystemId): string {
  return `${id.instance}/${id.memberClass}/${id.memberCode}/${id.subsystemCode}`;
}

export function serviceKey(id: ServiceId): string {
  return `${subsystemKey(id)}/${id.serviceCode}`;
}

export function parseServiceKey(input: string): Parsed<ServiceId> {
  const parts = input.split('/');
  if (parts.length !== 5) return invalid(`"${input}" must be INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`);
  const s = subsystemFromParts(parts.slice(0, 4));
  if (!s.ok) return s;
  const c = parseServiceCode(parts[4]);
  if (!c.ok) return c;
  return ok({ ...s.value, serviceCode: c.value });
}
