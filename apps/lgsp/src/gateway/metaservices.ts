import { Fault, fault, FaultType, FaultTypes, openApiEndpoints, openApiFor, OpenApiDocument, RegistryViewState, SERVICES, XROAD_INSTANCE } from '@ndxp/contracts';

/**
 * The X-Road metaservices over the registry view, as pure functions: what a
 * security server answers to listClients (PR-META §2, Annex C.1), listMethods
 * and allowedMethods (PR-MREST §4, Annex B), and getOpenAPI (PR-MREST §5).
 * Each returns the HTTP answer; one that fails carries the fault, for the
 * gateway to send as it sends its own (X-Road-Error header, {type, message, detail}).
 */
export interface MetaAnswer {
  status: number;
  contentType: string;
  body: string | object;
  /** Set when the metaservice refuses: the gateway answers it like any fault of its own. */
  fault?: MetaFault;
}

export type MetaFaultCode = 'InvalidRequest' | 'UnknownService' | 'UnknownMember';
export interface MetaFault extends Fault {
  code: MetaFaultCode;
}

/**
 * The codes the reference proxy answers with (RestMetadataServiceHandlerImpl, AbstractClientMessageProcessor):
 * no serviceCode is InvalidRequest, a service without a description an InternalError ("Service not found"),
 * a provider nobody registered UnknownMember (no address for it).
 */
const FAULT_TYPE: Record<MetaFaultCode, FaultType> = {
  InvalidRequest: FaultTypes.invalidRequest,
  UnknownService: FaultTypes.serverInternalError,
  UnknownMember: FaultTypes.unknownMember,
};

/** The service codes of the metaservices (never listed among a provider's services). */
export const METASERVICE_CODES = ['listMethods', 'allowedMethods', 'getOpenAPI'] as const;

// Content types as the reference security server sends them (MimeTypes.JSON, TEXT_XML_UTF8; listClients adds a charset to JSON).
const JSON_TYPE = 'application/json';
const LIST_CLIENTS_JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'text/xml; charset=UTF-8';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const NS = 'xmlns:ns1="http://x-road.eu/xsd/identifiers" xmlns:ns2="http://x-road.eu/xsd/xroad.xsd"';

function refuse(code: MetaFaultCode, message: string): MetaAnswer {
  const f: MetaFault = { code, ...fault(FAULT_TYPE[code], message) };
  return { status: f.status, contentType: JSON_TYPE, body: { type: f.type, message }, fault: f };
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const el = (indent: number, name: string, text: string) => `${' '.repeat(indent)}<${name}>${escapeXml(text)}</${name}>`;

/** A subsystem key `VN/GOV/{memberCode}/{subsystem}` as its parts, or undefined when it has not four. */
function subsystemParts(key: string): { instance: string; memberClass: string; memberCode: string; subsystemCode: string } | undefined {
  const parts = key.split('/');
  if (parts.length !== 4 || parts.some((p) => p === '')) return undefined;
  const [instance, memberClass, memberCode, subsystemCode] = parts;
  return { instance, memberClass, memberCode, subsystemCode };
}

// ---------------------------------------------------------------------------
// listClients

/** One entry of listClients, as the JSON form names its fields (PR-META Annex B, OpenAPI xroadIdentifier). */
export interface ClientListEntry {
  id: { member_class: string; member_code: string; subsystem_code?: string; object_type: 'MEMBER' | 'SUBSYSTEM'; xroad_instance: string };
  name?: string;
}

/**
 * `GET /listClients[?xRoadInstance=XX]`: every member (the registered
 * agencies, and the owner of any registered subsystem) and every subsystem of
 * the instance, each member before its subsystems. Another instance has none.
 * JSON when the caller accepts application/json, else the XML clientList.
 */
export function listClients(state: RegistryViewState, instance: string, xml: boolean): MetaAnswer {
  const entries: ClientListEntry[] = [];
  if (instance === XROAD_INSTANCE) {
    const members = new Map<string, { memberClass: string; subsystems: string[] }>();
    for (const code of state.agencies.keys()) members.set(`GOV/${code}`, { memberClass: 'GOV', subsystems: [] });
    for (const key of state.subsystems.keys()) {
      const p = subsystemParts(key);
      if (!p || p.instance !== instance) continue;
      const m = members.get(`${p.memberClass}/${p.memberCode}`) ?? { memberClass: p.memberClass, subsystems: [] };
      m.subsystems.push(p.subsystemCode);
      members.set(`${p.memberClass}/${p.memberCode}`, m);
    }
    for (const [key, m] of [...members].sort(([a], [b]) => a.localeCompare(b))) {
      const memberCode = key.slice(m.memberClass.length + 1);
      const name = m.memberClass === 'GOV' ? state.agencies.get(memberCode)?.nameVi : undefined;
      const id = { member_class: m.memberClass, member_code: memberCode };
      entries.push({ id: { ...id, object_type: 'MEMBER', xroad_instance: instance }, ...(name !== undefined ? { name } : {}) });
      for (const sub of m.subsystems.sort())
        entries.push({ id: { ...id, subsystem_code: sub, object_type: 'SUBSYSTEM', xroad_instance: instance }, ...(name !== undefined ? { name } : {}) });
    }
  }
  if (!xml) return { status: 200, contentType: LIST_CLIENTS_JSON_TYPE, body: { member: entries } };

  const lines = [XML_DECLARATION, `<ns2:clientList ${NS}>`];
  for (const e of entries) {
    lines.push('    <ns2:member>', `        <ns2:id ns1:objectType="${e.id.object_type}">`);
    lines.push(el(12, 'ns1:xRoadInstance', e.id.xroad_instance), el(12, 'ns1:memberClass', e.id.member_class), el(12, 'ns1:memberCode', e.id.member_code));
    if (e.id.subsystem_code !== undefined) lines.push(el(12, 'ns1:subsystemCode', e.id.subsystem_code));
    lines.push('        </ns2:id>');
    if (e.name !== undefined) lines.push(el(8, 'ns2:name', e.name));
    lines.push('    </ns2:member>');
  }
  lines.push('</ns2:clientList>');
  return { status: 200, contentType: XML_TYPE, body: lines.join('\n') + '\n' };
}

// ---------------------------------------------------------------------------
// listMethods, allowedMethods

/** One REST service, as the reference security server writes XRoadRestServiceDetailsType in JSON (snake case, no nulls). */
export interface RestServiceDetails {
  member_class: string;
  member_code: string;
  object_type: 'SERVICE';
  service_code: string;
  service_type: 'REST' | 'OPENAPI';
  subsystem_code: string;
  xroad_instance: string;
  endpoint_list: Array<{ method: string; path: string }>;
}

function serviceDetails(provider: string, serviceCode: string, method: string): RestServiceDetails | undefined {
  const p = subsystemParts(provider);
  if (!p) return undefined;
  const doc = openApiFor(serviceCode, { instance: p.instance });
  const template = SERVICES.find((s) => s.serviceCode === serviceCode)?.pathTemplate ?? '';
  return {
    member_class: p.memberClass,
    member_code: p.memberCode,
    object_type: 'SERVICE',
    service_code: serviceCode,
    service_type: doc ? 'OPENAPI' : 'REST',
    subsystem_code: p.subsystemCode,
    xroad_instance: p.instance,
    endpoint_list: doc ? openApiEndpoints(doc) : [{ method: method.toUpperCase(), path: `/${template}`.replace(/\{[^}]+\}/g, '*') }],
  };
}

function methodList(root: 'listMethodsResponse' | 'allowedMethodsResponse', services: RestServiceDetails[], xml: boolean): MetaAnswer {
  if (!xml) return { status: 200, contentType: JSON_TYPE, body: { service: services } };
  // The reference server answers these two in JSON only; the XML here is XRoadRestServiceDetailsType of its service-metainfo.xsd.
  const lines = [XML_DECLARATION, `<ns2:${root} ${NS}>`];
  for (const s of services) {
    lines.push(`    <ns2:service ns1:objectType="SERVICE" ns2:serviceType="${s.service_type}">`);
    lines.push(el(8, 'ns1:xRoadInstance', s.xroad_instance), el(8, 'ns1:memberClass', s.member_class), el(8, 'ns1:memberCode', s.member_code));
    lines.push(el(8, 'ns1:subsystemCode', s.subsystem_code), el(8, 'ns1:serviceCode', s.service_code));
    for (const e of s.endpoint_list) lines.push('        <ns2:endpointList>', el(12, 'ns2:method', e.method), el(12, 'ns2:path', e.path), '        </ns2:endpointList>');
    lines.push('    </ns2:service>');
  }
  lines.push(`</ns2:${root}>`);
  return { status: 200, contentType: XML_TYPE, body: lines.join('\n') + '\n' };
}

function providerServices(state: RegistryViewState, provider: string): Array<[string, { serviceCode: string; method: string }]> {
  return [...state.services].filter(([, s]) => s.provider === provider && !(METASERVICE_CODES as readonly string[]).includes(s.serviceCode)).sort(([a], [b]) => a.localeCompare(b));
}

/** `GET /r1/{provider}/listMethods`: the REST services the provider subsystem offers. An unregistered provider is UnknownMember. */
export function listMethods(state: RegistryViewState, provider: string, xml = false): MetaAnswer {
  if (!state.subsystems.has(provider)) return refuse('UnknownMember', `provider subsystem ${provider} is not registered`);
  const services = providerServices(state, provider).flatMap(([, s]) => serviceDetails(provider, s.serviceCode, s.method) ?? []);
  return methodList('listMethodsResponse', services, xml);
}

/**
 * `GET /r1/{provider}/allowedMethods` with `X-Road-Client: {client}`: the
 * provider's services the client holds an access right to. A client with none
 * (or unknown to the registry) gets an empty list, as X-Road's ACL gives.
 */
export function allowedMethods(state: RegistryViewState, client: string, provider: string, xml = false): MetaAnswer {
  if (!state.subsystems.has(provider)) return refuse('UnknownMember', `provider subsystem ${provider} is not registered`);
  const granted = state.grants.get(client) ?? new Set<string>();
  const services = providerServices(state, provider)
    .filter(([key]) => granted.has(key))
    .flatMap(([, s]) => serviceDetails(provider, s.serviceCode, s.method) ?? []);
  return methodList('allowedMethodsResponse', services, xml);
}

// ---------------------------------------------------------------------------
// getOpenAPI

/**
 * `GET /r1/{provider}/getOpenAPI?serviceCode=X`: the OpenAPI 3 document of the
 * provider's service X, in JSON. No serviceCode is an InvalidRequest fault
 * (PR-MREST §5; the reference: "Missing serviceCode"); a code the provider
 * does not offer with an OpenAPI description is UnknownService.
 */
export function getOpenApi(serviceCode: string | undefined, provider: string): MetaAnswer {
  if (serviceCode === undefined || serviceCode === '') return refuse('InvalidRequest', 'Missing serviceCode: send getOpenAPI?serviceCode={service code}');
  const p = subsystemParts(provider);
  const offered = SERVICES.some((s) => s.serviceCode === serviceCode && s.provider === provider);
  const doc: OpenApiDocument | undefined = p && offered ? openApiFor(serviceCode, { instance: p.instance }) : undefined;
  if (!doc) return refuse('UnknownService', `Service not found: SERVICE:${provider}/${serviceCode} (no OpenAPI description)`);
  return { status: 200, contentType: JSON_TYPE, body: doc };
}
