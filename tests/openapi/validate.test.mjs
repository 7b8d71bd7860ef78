// Static checks of web/openapi.json, the OpenAPI 3.1 document of parley's HTTP API.
//
//   node validate.test.mjs [path-to-openapi.json]      (default: ../../web/openapi.json)
//
// Plain Node ESM (Node 18+), no test framework: prints a line per check and exits 0 when every
// check passes, 1 otherwise.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.resolve(process.argv[2] ?? path.join(here, '../../web/openapi.json'));

/// Every endpoint of the HTTP API, with its methods.
const REQUIRED = {
  '/v1/conversations': ['post', 'get', 'options'],
  '/v1/conversations/{id}': ['get', 'options'],
  '/v1/conversations/{id}/parts': ['post', 'get', 'options'],
  '/v1/conversations/{id}/events': ['get', 'options'],
  '/v1/conversations/{id}/export': ['get', 'options'],
  '/v1/visitors/{id}': ['delete', 'options'],
  '/v1/sites/{site}/visitors': ['post', 'options'],
  '/v1/sites/{site}/visitors/renew': ['post', 'options'],
  '/v1/dev/token': ['post', 'options'],
  '/v1/openapi.json': ['get'],
  '/v1/ws': ['get'],
  '/healthz': ['get'],
  '/readyz': ['get'],
  '/metrics': ['get'],
};

/// Schemas the clients rely on; the object ones are closed (additionalProperties: false).
const REQUIRED_SCHEMAS = [
  'Conversation', 'ConversationDetail', 'Part', 'Event', 'Error', 'Person', 'PartAuthor', 'Attachment', 'Export',
  'ExportLine', 'PartCreate', 'ConversationStart', 'EraseResult', 'Token', 'AnonymousVisitor', 'DevTokenRequest',
];
const CLOSED_SCHEMAS = REQUIRED_SCHEMAS.filter((n) => n !== 'ExportLine');

const OPENAPI_ROOT_FIELDS = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const NO_BODY_STATUSES = new Set(['101', '204', '304']);

let passed = 0;
let failed = 0;
function check(what, problems) {
  const list = Array.isArray(problems) ? problems : problems ? [String(problems)] : [];
  if (list.length === 0) {
    passed += 1;
    console.log(`ok - ${what}`);
  } else {
    failed += 1;
    console.log(`not ok - ${what}`);
    for (const p of list.slice(0, 50)) console.log(`    ${p}`);
    if (list.length > 50) console.log(`    ... and ${list.length - 50} more`);
  }
}

const unescapePointer = (s) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/// Resolves a local `#/...` reference. @return undefined when it does not resolve.
function resolvePointer(doc, ref) {
  if (!ref.startsWith('#')) return undefined;
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointer === '') return doc;
  if (!pointer.startsWith('/')) return undefined;
  let node = doc;
  for (const token of pointer.slice(1).split('/').map(unescapePointer)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, token)) return undefined;
    node = node[token];
  }
  return node;
}

/// Follows `$ref` (OpenAPI reference objects) until a plain object.
function deref(doc, node) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) return undefined;
    seen.add(node.$ref);
    node = resolvePointer(doc, node.$ref);
  }
  return node;
}

/// Calls fn(value, jsonPointer) for every object in the tree.
function walk(node, fn, at = '#') {
  if (node === null || typeof node !== 'object') return;
  fn(node, at);
  for (const [k, v] of Object.entries(node)) walk(v, fn, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

function operations(doc) {
  const out = [];
  for (const [p, item] of Object.entries(doc.paths ?? {}))
    for (const m of METHODS) if (item[m]) out.push({ path: p, method: m, item, op: item[m] });
  return out;
}

async function main() {
  let text;
  let doc;
  try {
    text = readFileSync(file, 'utf8');
    doc = JSON.parse(text);
  } catch (err) {
    check(`${path.relative(process.cwd(), file)} is readable JSON`, err.message);
    return;
  }
  check(`${path.relative(process.cwd(), file)} is readable JSON`, []);

  // 1. The document against the official OpenAPI 3.1 schema.
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  check('valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)',
    result.valid ? [] : (Array.isArray(result.errors) ? result.errors.map((e) => JSON.stringify(e)) : [String(result.errors)]));
  check('openapi is 3.1.0 and the dialect is JSON Schema 2020-12', [
    ...(doc.openapi === '3.1.0' ? [] : [`openapi is ${JSON.stringify(doc.openapi)}`]),
    ...(doc.jsonSchemaDialect === undefined || doc.jsonSchemaDialect === 'https://json-schema.org/draft/2020-12/schema'
      ? [] : [`jsonSchemaDialect is ${doc.jsonSchemaDialect}`]),
  ]);

  // 2. Every $ref resolves, and only to this document.
  const badRefs = [];
  let refCount = 0;
  walk(doc, (node, at) => {
    if (typeof node.$ref !== 'string') return;
    refCount += 1;
    if (!node.$ref.startsWith('#/')) badRefs.push(`${at}: external or malformed $ref ${node.$ref}`);
    else if (resolvePointer(doc, node.$ref) === undefined) badRefs.push(`${at}: $ref ${node.$ref} does not resolve`);
  });
  check(`every $ref resolves (${refCount} refs)`, badRefs);

  // 3. Every endpoint and method is there.
  const missing = [];
  for (const [p, methods] of Object.entries(REQUIRED)) {
    if (!doc.paths?.[p]) missing.push(`path ${p}`);
    else for (const m of methods) if (!doc.paths[p][m]) missing.push(`${m.toUpperCase()} ${p}`);
  }
  check(`every endpoint is documented (${Object.keys(REQUIRED).length} paths)`, missing);
  const preflightMissing = Object.keys(doc.paths ?? {})
    .filter((p) => p.startsWith('/v1/') && p !== '/v1/ws' && !doc.paths[p].options)
    .map((p) => `OPTIONS ${p}`);
  check('every /v1/ path documents its CORS preflight', preflightMissing);

  // 4. Operations: unique ids, declared path parameters, responses with schemas.
  const ops = operations(doc);
  const ids = new Map();
  const opProblems = [];
  const responseProblems = [];
  const authProblems = [];
  for (const { path: p, method, item, op } of ops) {
    const name = `${method.toUpperCase()} ${p}`;
    if (!op.operationId) opProblems.push(`${name}: no operationId`);
    else if (ids.has(op.operationId)) opProblems.push(`${name}: operationId ${op.operationId} also used by ${ids.get(op.operationId)}`);
    else ids.set(op.operationId, name);

    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((x) => deref(doc, x));
    for (const [, templ] of p.matchAll(/\{([^}]+)\}/g))
      if (!params.some((x) => x?.in === 'path' && x.name === templ)) opProblems.push(`${name}: path parameter {${templ}} not declared`);
    for (const x of params) {
      if (!x) { opProblems.push(`${name}: a parameter does not resolve`); continue; }
      if (!x.schema) opProblems.push(`${name}: parameter ${x.name} has no schema`);
      if (x.in === 'query' && x.schema?.type === 'array' && x.style !== 'form')
        opProblems.push(`${name}: array parameter ${x.name} is not style=form`);
    }

    const statuses = Object.keys(op.responses ?? {});
    if (statuses.length === 0) responseProblems.push(`${name}: no responses`);
    if (!statuses.some((s) => /^[23]/.test(s) || s === '101')) responseProblems.push(`${name}: no success response`);
    for (const s of statuses) {
      const r = deref(doc, op.responses[s]);
      if (!r) { responseProblems.push(`${name} ${s}: does not resolve`); continue; }
      if (!r.description) responseProblems.push(`${name} ${s}: no description`);
      if (NO_BODY_STATUSES.has(s)) {
        if (r.content) responseProblems.push(`${name} ${s}: a ${s} has no body, but content is declared`);
        continue;
      }
      const media = Object.entries(r.content ?? {});
      if (media.length === 0) responseProblems.push(`${name} ${s}: no content`);
      for (const [type, m] of media) if (!m.schema) responseProblems.push(`${name} ${s} ${type}: no schema`);
      if (/^[45]/.test(s) && p.startsWith('/v1/') && !r.content?.['application/json'])
        responseProblems.push(`${name} ${s}: an error must be application/json`);
    }

    const needsToken = (op.security ?? doc.security ?? []).some((req) => Object.keys(req).length > 0);
    if (needsToken) {
      const r401 = deref(doc, op.responses?.['401']);
      if (!r401) authProblems.push(`${name}: needs a token but documents no 401`);
      else if (!r401.headers?.['WWW-Authenticate']) authProblems.push(`${name}: 401 without WWW-Authenticate`);
    }
  }
  check(`operations have unique ids and declared parameters (${ops.length} operations)`, opProblems);
  check('every operation has responses, each with a schema for each media type', responseProblems);
  check('every operation that needs a token documents 401 with WWW-Authenticate', authProblems);

  // Errors use the one error schema.
  const errorProblems = [];
  for (const { path: p, method, op } of ops)
    for (const [s, raw] of Object.entries(op.responses ?? {})) {
      if (!/^[45]/.test(s)) continue;
      const schema = deref(doc, raw)?.content?.['application/json']?.schema;
      const usesError = schema && (schema.$ref === '#/components/schemas/Error' ||
        (schema.allOf ?? []).some((x) => x.$ref === '#/components/schemas/Error'));
      if (!usesError) errorProblems.push(`${method.toUpperCase()} ${p} ${s}: not the Error schema`);
    }
  check('every 4xx/5xx answer uses #/components/schemas/Error', errorProblems);

  // List: the bracket parameters are literal names, and the paging headers are there.
  const list = doc.paths?.['/v1/conversations']?.get;
  const listParams = (list?.parameters ?? []).map((x) => deref(doc, x)?.name);
  const wantedParams = [
    'status[]', 'agent_id[]', 'visitor_id[]', 'department[]', 'tag[]', 'id[]',
    'created_at[from]', 'created_at[to]', 'updated_at[from]', 'updated_at[to]', 'ends_at[from]', 'ends_at[to]',
    'message_count[from]', 'message_count[to]', 'rating[from]', 'rating[to]',
    'sort_column', 'sort_direction', 'page', 'per',
  ];
  const listHeaders = Object.keys(deref(doc, list?.responses?.['200'])?.headers ?? {});
  check('GET /v1/conversations: every filter, X-Total-Count and Link', [
    ...wantedParams.filter((n) => !listParams.includes(n)).map((n) => `parameter ${n} missing`),
    ...['X-Total-Count', 'Link'].filter((h) => !listHeaders.includes(h)).map((h) => `header ${h} missing`),
  ]);

  // 5. Schemas: present, closed, compilable by ajv in strict mode.
  const schemas = doc.components?.schemas ?? {};
  check('components.schemas has every schema clients rely on',
    REQUIRED_SCHEMAS.filter((n) => !schemas[n]).map((n) => `${n} missing`));
  check('object schemas are closed (additionalProperties: false)',
    CLOSED_SCHEMAS.filter((n) => schemas[n] && schemas[n].additionalProperties !== false).map((n) => `${n} is open`));

  const conv = schemas.Conversation ?? {};
  const detail = schemas.ConversationDetail ?? {};
  const detailProblems = [];
  const extra = new Set(['events', 'parts']);
  for (const k of Object.keys(conv.properties ?? {}))
    if (JSON.stringify(conv.properties[k]) !== JSON.stringify(detail.properties?.[k])) detailProblems.push(`property ${k} differs`);
  for (const k of Object.keys(detail.properties ?? {}))
    if (!extra.has(k) && !conv.properties?.[k]) detailProblems.push(`property ${k} is not in Conversation`);
  if (JSON.stringify(conv.required) !== JSON.stringify(detail.required)) detailProblems.push('required differs');
  check('ConversationDetail is Conversation plus events and parts', detailProblems);

  const ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false });
  addFormats(ajv);
  // The document itself is added as one schema so that `#/components/...` resolves inside it;
  // its top-level OpenAPI fields are not JSON Schema keywords, so declare them (no validation).
  for (const k of OPENAPI_ROOT_FIELDS) ajv.addKeyword(k);
  const compileProblems = [];
  try {
    ajv.addSchema(structuredClone(doc), 'openapi.json');
  } catch (err) {
    compileProblems.push(`the document: ${err.message}`);
  }
  const pointers = Object.keys(schemas).map((n) => `openapi.json#/components/schemas/${n}`);
  walk(doc.paths, (node, at) => {
    if (node.schema && typeof node.schema === 'object') pointers.push(`openapi.json${at.replace(/^#/, '#/paths')}/schema`);
  });
  for (const ptr of pointers) {
    try {
      if (!ajv.getSchema(ptr.replace(/[{}]/g, encodeURIComponent))) compileProblems.push(`${ptr}: not found`);
    } catch (err) {
      compileProblems.push(`${ptr}: ${err.message}`);
    }
  }
  check(`every schema compiles with ajv (JSON Schema 2020-12, strict; ${pointers.length} schemas)`, compileProblems);

  // 6. The examples the document carries are valid against their schemas.
  const exampleProblems = [];
  const validateAt = (ptr, value, where) => {
    const v = ajv.getSchema(ptr.replace(/[{}]/g, encodeURIComponent));
    if (v && !v(value)) exampleProblems.push(`${where}: ${ajv.errorsText(v.errors)}`);
  };
  for (const [n, s] of Object.entries(schemas))
    for (const [i, ex] of (s.examples ?? []).entries()) validateAt(`openapi.json#/components/schemas/${n}`, ex, `${n}.examples[${i}]`);
  walk(doc.paths, (node, at) => {
    if (!node.schema || !node.examples || Array.isArray(node.examples)) return;
    for (const [k, ex] of Object.entries(node.examples))
      if (ex && 'value' in ex) validateAt(`openapi.json${at.replace(/^#/, '#/paths')}/schema`, ex.value, `${at}/examples/${k}`);
  });
  for (const [n, x] of Object.entries(doc.components?.parameters ?? {}))
    for (const [k, ex] of Object.entries(x.examples ?? {}))
      validateAt(`openapi.json#/components/parameters/${n}/schema`, ex.value, `parameter ${n} example ${k}`);
  check('every example matches its schema', exampleProblems);
}

try {
  await main();
} catch (err) {
  check('the checks ran to the end', err.stack ?? String(err));
}
console.log(`validate: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
