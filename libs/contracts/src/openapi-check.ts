/**
 * A structural check of OpenAPI 3.0 documents, and a value check against the
 * subset of schema keywords the national services' documents use. It stands
 * in for an official validator (@apidevtools/swagger-parser or
 * @readme/openapi-parser) until one is a dev dependency: it finds broken
 * references, undeclared or missing path parameters, bad response keys and
 * patterns that do not compile, not every rule of the specification.
 */
type Json = Record<string, unknown>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PARAMETER_PLACES = ['query', 'header', 'path', 'cookie'];
const SCHEMA_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'];
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What `#/a/b` points at in the document, or undefined. */
export function resolveRef(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), doc);
}

const deref = (doc: Json, v: unknown): unknown => (isObject(v) && typeof v.$ref === 'string' ? resolveRef(doc, v.$ref) : v);

function checkSchema(doc: Json, schema: unknown, at: string, problems: string[]): void {
  if (!isObject(schema)) return void problems.push(`${at}: a schema must be an object`);
  if (typeof schema.$ref === 'string') return; // references are checked on their own
  if (schema.type !== undefined && !SCHEMA_TYPES.includes(schema.type as string)) problems.push(`${at}: type ${JSON.stringify(schema.type)} is not an OpenAPI 3.0 type`);
  if (schema.nullable !== undefined && typeof schema.nullable !== 'boolean') problems.push(`${at}: nullable must be a boolean`);
  for (const k of ['const', 'examples', '$schema', 'prefixItems']) if (k in schema) problems.push(`${at}: ${k} is not an OpenAPI 3.0 schema keyword`);
  if (schema.pattern !== undefined) {
    try {
      new RegExp(schema.pattern as string);
    } catch (e) {
      problems.push(`${at}: pattern does not compile: ${(e as Error).message}`);
    }
  }
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.length === 0)) problems.push(`${at}: enum must be a non-empty array`);
  const props = isObject(schema.properties) ? schema.properties : {};
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required) || schema.required.length === 0) problems.push(`${at}: required must be a non-empty array`);
    else if (schema.properties) for (const r of schema.required) if (!(r in props)) problems.push(`${at}: required ${r} is not among the properties`);
  }
  if (schema.type === 'array' && schema.items === undefined) problems.push(`${at}: an array schema needs items`);
  for (const [k, v] of Object.entries(props)) checkSchema(doc, v, `${at}.properties.${k}`, problems);
  if (schema.items !== undefined) checkSchema(doc, schema.items, `${at}.items`, problems);
  for (const k of ['oneOf', 'anyOf', 'allOf'])
    if (schema[k] !== undefined) {
      if (!Array.isArray(schema[k]) || (schema[k] as unknown[]).length === 0) problems.push(`${at}: ${k} must be a non-empty array`);
      else (schema[k] as unknown[]).forEach((s, i) => checkSchema(doc, s, `${at}.${k}[${i}]`, problems));
    }
}

function checkContent(doc: Json, content: unknown, at: string, problems: string[]): void {
  if (!isObject(content)) return void problems.push(`${at}: content must be a map of media types`);
  for (const [type, media] of Object.entries(content)) {
    if (!/^[\w.+-]+\/[\w.+*-]+$/.test(type)) problems.push(`${at}: ${type} is not a media type`);
    if (!isObject(media)) problems.push(`${at}.${type}: must be an object`);
    else if (media.schema !== undefined) checkSchema(doc, media.schema, `${at}.${type}.schema`, problems);
  }
}

function checkParameter(doc: Json, p: unknown, at: string, problems: string[]): Json | undefined {
  const param = deref(doc, p);
  if (!isObject(param)) return void problems.push(`${at}: parameter does not resolve`);
  if (typeof param.name !== 'string' || !PARAMETER_PLACES.includes(param.in as string)) problems.push(`${at}: a parameter needs a name and in (query, header, path, cookie)`);
  if (param.in === 'path' && param.required !== true) problems.push(`${at}: path parameter ${String(param.name)} must be required`);
  if ((param.schema === undefined) === (param.content === undefined)) problems.push(`${at}: a parameter needs a schema or a content, not both`);
  if (param.schema !== undefined) checkSchema(doc, param.schema, `${at}.schema`, problems);
  return param;
}

/** The problems of an OpenAPI 3.0 document; empty when it passes. */
export function checkOpenApiDocument(input: object): string[] {
  const doc = input as Json;
  const problems: string[] = [];
  if (typeof doc.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi)) problems.push('openapi must be 3.0.x');
  const info = doc.info;
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string') problems.push('info needs a title and a version');
  if (doc.servers !== undefined && (!Array.isArray(doc.servers) || doc.servers.some((s) => !isObject(s) || typeof s.url !== 'string'))) problems.push('each server needs a url');
  if (!isObject(doc.paths)) return [...problems, 'paths must be an object'];

  // Every reference resolves.
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}[${i}]`));
    else if (isObject(node))
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && (typeof v !== 'string' || resolveRef(doc, v) === undefined)) problems.push(`${at}: $ref ${String(v)} does not resolve`);
        walk(v, `${at}.${k}`);
      }
  };
  walk(doc, '#');

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const at = `paths.${path}`;
    if (!path.startsWith('/')) problems.push(`${at}: a path must start with /`);
    if (!isObject(item)) {
      problems.push(`${at}: must be an object`);
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const common = ((item.parameters as unknown[]) ?? []).map((p, i) => checkParameter(doc, p, `${at}.parameters[${i}]`, problems));
    const operations = Object.keys(item).filter((k) => HTTP_METHODS.includes(k));
    if (operations.length === 0) problems.push(`${at}: no operation`);
    for (const k of Object.keys(item))
      if (!HTTP_METHODS.includes(k) && !['parameters', 'summary', 'description', 'servers', '$ref'].includes(k) && !k.startsWith('x-')) problems.push(`${at}: unknown field ${k}`);
    for (const method of operations) {
      const op = item[method];
      const oat = `${at}.${method}`;
      if (!isObject(op)) {
        problems.push(`${oat}: must be an object`);
        continue;
      }
      if (typeof op.operationId === 'string') {
        if (operationIds.has(op.operationId)) problems.push(`${oat}: operationId ${op.operationId} is not unique`);
        operationIds.add(op.operationId);
      }
      const own = ((op.parameters as unknown[]) ?? []).map((p, i) => checkParameter(doc, p, `${oat}.parameters[${i}]`, problems));
      const inPath = [...common, ...own].filter((p): p is Json => p?.in === 'path').map((p) => p.name as string);
      for (const name of templated) if (!inPath.includes(name)) problems.push(`${oat}: path parameter ${name} is not declared`);
      for (const name of inPath) if (!templated.includes(name)) problems.push(`${oat}: path parameter ${name} is not in the path`);
      if (op.requestBody !== undefined) {
        const body = deref(doc, op.requestBody);
        if (!isObject(body)) problems.push(`${oat}.requestBody: does not resolve`);
        else checkContent(doc, body.content, `${oat}.requestBody.content`, problems);
      }
      if (!isObject(op.responses) || Object.keys(op.responses).length === 0) {
        problems.push(`${oat}: responses must name at least one`);
        continue;
      }
      for (const [code, r] of Object.entries(op.responses)) {
        if (code !== 'default' && !/^[1-5](\d\d|XX)$/.test(code)) problems.push(`${oat}.responses: ${code} is not a status code`);
        const res = deref(doc, r);
        if (!isObject(res) || typeof res.description !== 'string') problems.push(`${oat}.responses.${code}: needs a description`);
        else if (res.content !== undefined) checkContent(doc, res.content, `${oat}.responses.${code}.content`, problems);
      }
    }
  }

  const components = isObject(doc.components) ? doc.components : {};
  for (const [name, s] of Object.entries(isObject(components.schemas) ? components.schemas : {})) checkSchema(doc, s, `components.schemas.${name}`, problems);
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  for (const [name, s] of Object.entries(schemes))
    if (!isObject(s) || !['apiKey', 'http', 'oauth2', 'openIdConnect'].includes(s.type as string)) problems.push(`components.securitySchemes.${name}: unknown type`);
    else if (s.type === 'apiKey' && (typeof s.name !== 'string' || !['query', 'header', 'cookie'].includes(s.in as string)))
      problems.push(`components.securitySchemes.${name}: apiKey needs name and in`);
    else if (s.type === 'http' && typeof s.scheme !== 'string') problems.push(`components.securitySchemes.${name}: http needs a scheme`);
  for (const req of (doc.security as Json[] | undefined) ?? [])
    for (const name of Object.keys(req)) if (!(name in schemes)) problems.push(`security: scheme ${name} is not defined`);
  return problems;
}

/**
 * Where a value breaks a schema of the document (type, nullable, enum,
 * pattern, required, additionalProperties: false, items, minimum/maximum,
 * oneOf/anyOf/allOf, $ref); empty when it conforms. Formats are not checked.
 */
export function schemaErrors(doc: object, schema: unknown, value: unknown, at = '$'): string[] {
  const s = deref(doc as Json, schema);
  if (!isObject(s)) return [`${at}: schema does not resolve`];
  if (value === null) return s.nullable === true ? [] : [`${at}: null is not allowed`];
  const errors: string[] = [];
  const typeOk: Record<string, (v: unknown) => boolean> = {
    string: (v) => typeof v === 'string',
    number: (v) => typeof v === 'number',
    integer: (v) => Number.isInteger(v),
    boolean: (v) => typeof v === 'boolean',
    array: Array.isArray,
    object: isObject,
  };
  if (typeof s.type === 'string' && !typeOk[s.type](value)) return [`${at}: ${JSON.stringify(value)} is not ${s.type}`];
  if (Array.isArray(s.enum) && !s.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}`);
  if (typeof s.pattern === 'string' && typeof value === 'string' && !new RegExp(s.pattern).test(value)) errors.push(`${at}: "${value}" does not match ${s.pattern}`);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errors.push(`${at}: ${value} < ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${at}: ${value} > ${s.maximum}`);
  }
  if (Array.isArray(value) && s.items !== undefined) value.forEach((v, i) => errors.push(...schemaErrors(doc, s.items, v, `${at}[${i}]`)));
  if (isObject(value)) {
    const props = isObject(s.properties) ? s.properties : {};
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in value)) errors.push(`${at}: ${r} is required`);
    for (const [k, v] of Object.entries(value)) {
      if (k in props) errors.push(...schemaErrors(doc, props[k], v, `${at}.${k}`));
      else if (s.additionalProperties === false) errors.push(`${at}: ${k} is not allowed`);
    }
  }
  const branches = (k: string) => ((s[k] as unknown[] | undefined) ?? []).map((b) => schemaErrors(doc, b, value, at));
  if (s.allOf) errors.push(...branches('allOf').flat());
  if (s.anyOf && !branches('anyOf').some((e) => e.length === 0)) errors.push(`${at}: matches none of anyOf`);
  if (s.oneOf && branches('oneOf').filter((e) => e.length === 0).length !== 1) errors.push(`${at}: does not match exactly one of oneOf`);
  return errors;
}
