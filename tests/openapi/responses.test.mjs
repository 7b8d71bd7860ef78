// End to end: the real parley binary answers as web/openapi.json says.
//
//   node responses.test.mjs <path-to-parley-binary>
//
// Starts `parley serve` on an ephemeral port with a temporary config and data directory, mints
// tokens with `parley token`, drives the HTTP API (and a little WebSocket, for what only the
// WebSocket can do: assign, tag, report an event) and validates the status, the content type,
// the documented headers and the body of EVERY response against the document's schema for that
// path, method and status (ajv, JSON Schema 2020-12). Prints a line per check; exits 1 when any
// check fails. The server is always killed at the end; a watchdog bounds the whole run.
//
// Plain Node ESM for Node 18+: node:http for HTTP (raw request targets, so brackets can be sent
// raw or percent-encoded), and the minimal WebSocket client of ws_client.mjs.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { WsClient } from './ws_client.mjs';
import { startServer as startParley } from '../support/parley_server.mjs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const DOC_FILE = path.resolve(here, '../../web/openapi.json');
const WEB_ROOT = path.resolve(here, '../../web');

const WATCHDOG_MS = 100_000; // the whole run; CTest should allow 120 s
const STEP_TIMEOUT_MS = 5_000;
const EXIT_TIMEOUT_MS = 5_000;

const ORIGIN = 'https://shop.example';
const EVIL_ORIGIN = 'https://evil.example';
const DEMO = { id: 'demo', secret: 'openapi-test-secret-0123456789', origins: [ORIGIN] };
const OTHER = { id: 'other', secret: 'openapi-test-other-0123456789' };
const LIMITS = { max_body_chars: 2000, max_http_body_bytes: 65536 };

const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Reporting

let passed = 0;
let failed = 0;

function record(what, problems) {
  if (problems.length === 0) {
    passed += 1;
    console.log(`ok - ${what}`);
  } else {
    failed += 1;
    console.log(`not ok - ${what}`);
    for (const p of problems.slice(0, 12)) console.log(`    ${p}`);
    if (problems.length > 12) console.log(`    ... and ${problems.length - 12} more`);
  }
}

/// Runs `fn`; an exception (an assert) is the check's failure.
async function check(what, fn) {
  try {
    const problems = (await fn()) ?? [];
    record(what, problems);
  } catch (err) {
    record(what, [err instanceof assert.AssertionError ? err.message.split('\n')[0] : (err.stack ?? String(err))]);
  }
}

const note = (text) => console.log(`# ${text}`);

// ---------------------------------------------------------------------------------------------
// The document and its schemas

const doc = JSON.parse(readFileSync(DOC_FILE, 'utf8'));
const ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false });
addFormats(ajv);
// The whole document is one schema so that `#/components/...` resolves inside it; its top-level
// OpenAPI fields are not JSON Schema keywords.
for (const k of ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs'])
  ajv.addKeyword(k);
ajv.addSchema(doc, 'openapi.json');

const escapePointer = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (s) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/// The node at a `#/...` pointer of the document.
function at(pointer) {
  let node = doc;
  for (const t of pointer.replace(/^#\/?/, '').split('/').filter((x) => x !== '').map((x) => unescapePointer(decodeURIComponent(x)))) {
    if (node === null || typeof node !== 'object' || !(t in node)) return undefined;
    node = node[t];
  }
  return node;
}

/// Follows reference objects: @return {node, pointer} of the object finally referred to.
function follow(pointer) {
  let node = at(pointer);
  while (node && typeof node.$ref === 'string') {
    pointer = node.$ref;
    node = at(pointer);
  }
  return { node, pointer };
}

const validators = new Map();
function validatorAt(pointer) {
  const key = `openapi.json${pointer.replace(/[{}]/g, encodeURIComponent)}`;
  if (!validators.has(key)) {
    const v = ajv.getSchema(key);
    if (!v) throw new Error(`no schema at ${pointer}`);
    validators.set(key, v);
  }
  return validators.get(key);
}

/// Problems of `value` against the schema at `pointer` (empty when valid).
function schemaProblems(pointer, value, label = 'body') {
  const v = validatorAt(pointer);
  if (v(value)) return [];
  return (v.errors ?? []).slice(0, 8).map((e) => `${label}${e.instancePath} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
}

const SCHEMA = (name) => `#/components/schemas/${name}`;

/// Does `res` (from `method template`) conform to the document? @return problems.
function conformance(res, method, template) {
  const problems = [];
  const opPointer = `#/paths/${escapePointer(template)}/${method.toLowerCase()}`;
  if (!at(opPointer)) return [`${method} ${template} is not in the document`];
  const status = String(res.status);
  let responsePointer = `${opPointer}/responses/${status}`;
  if (!at(responsePointer)) {
    if (!at(`${opPointer}/responses/default`)) return [`status ${status} is not documented for ${method} ${template}`];
    responsePointer = `${opPointer}/responses/default`;
  }
  const { node: response, pointer: rp } = follow(responsePointer);

  // Headers the document declares.
  for (const [name, raw] of Object.entries(response.headers ?? {})) {
    const { node: h, pointer: hp } = follow(`${rp}/headers/${escapePointer(name)}`);
    const value = res.headers[name.toLowerCase()];
    if (value === undefined) {
      if (h.required) problems.push(`header ${name} is required but missing`);
      continue;
    }
    if (!h.schema) continue;
    const { node: hs } = follow(`${hp}/schema`);
    let typed = value;
    if (hs?.type === 'integer') {
      if (!/^-?[0-9]+$/.test(value)) { problems.push(`header ${name}: ${JSON.stringify(value)} is not an integer`); continue; }
      typed = Number(value);
    }
    problems.push(...schemaProblems(`${hp}/schema`, typed, `header ${name}`));
    void raw;
  }

  if (!response.content) {
    if (res.text.length > 0) problems.push(`a ${status} documents no body, but one came (${res.text.length} bytes)`);
    return problems;
  }
  const contentType = res.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  const mediaKey = Object.keys(response.content).find((k) => k.toLowerCase() === mediaType) ??
    Object.keys(response.content).find((k) => k === '*/*');
  if (!mediaKey) {
    problems.push(`content type ${JSON.stringify(contentType)} is not documented (${Object.keys(response.content).join(', ')})`);
    return problems;
  }
  if (mediaType === 'application/json') {
    if (contentType !== 'application/json; charset=utf-8') problems.push(`Content-Type is ${JSON.stringify(contentType)}, expected "application/json; charset=utf-8"`);
    if (res.json === undefined) {
      problems.push(`body is not JSON: ${res.text.slice(0, 200)}`);
      return problems;
    }
    problems.push(...schemaProblems(`${rp}/content/${escapePointer(mediaKey)}/schema`, res.json));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// HTTP and WebSocket clients

let PORT = 0;
/** Whether this build serves anonymous visitors and dev tokens (it accepts their config keys). */
let tokenEndpoints = true;

/// One request; `target` is sent exactly as given. @return {status, headers, text, json}.
function request({ method = 'GET', target, token, body, headers = {} }) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
      h['Content-Type'] ??= 'application/json';
      h['Content-Length'] = String(payload.length);
    }
    const req = http.request({ host: '127.0.0.1', port: PORT, method, path: target, headers: h, agent: false, timeout: STEP_TIMEOUT_MS }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        if ((res.headers['content-type'] ?? '').startsWith('application/json')) {
          try { json = JSON.parse(text); } catch { json = undefined; }
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${target}: no answer within ${STEP_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/// A request checked against the document and an expected status; `more(res)` adds checks
/// (asserts) that run only when the status is the expected one. @return the response.
async function step(what, req, template, expected, more) {
  let res;
  await check(what, async () => {
    res = await request(req);
    const problems = [];
    if (res.status !== expected) problems.push(`status ${res.status}, expected ${expected}: ${res.text.slice(0, 240)}`);
    problems.push(...conformance(res, req.method ?? 'GET', template));
    if (more && res.status === expected) {
      try {
        const extra = await more(res);
        if (Array.isArray(extra)) problems.push(...extra);
      } catch (err) {
        problems.push(err instanceof assert.AssertionError ? err.message.split('\n')[0] : (err.stack ?? String(err)));
      }
    }
    return problems;
  });
  return res ?? { status: 0, headers: {}, text: '', json: undefined };
}

/// Asserts a 400 (or other error) whose message starts with `field`.
const messageStartsWith = (field) => (res) => {
  assert.ok(res.json?.error?.message?.startsWith(field),
    `the message should start with ${JSON.stringify(field)}: ${JSON.stringify(res.json?.error?.message)}`);
};

async function openWs(token) {
  const r = await WsClient.connect({ port: PORT, token });
  assert.equal(r.status, 101, `WebSocket refused: ${r.status} ${r.text}`);
  await r.ws.next((f) => f.op === 'hello', 'hello');
  return r.ws;
}

// ---------------------------------------------------------------------------------------------
// The server

async function writeConfig(dir, full) {
  const demo = { ...DEMO };
  const config = {
    threads: 2,
    storage: { path: path.join(dir, 'data') },
    web: { root: WEB_ROOT },
    log: { level: 'info' },
    sites: [demo, OTHER],
    limits: LIMITS,
  };
  if (full) {
    demo.anonymous_visitors = true;
    config.dev_tokens = true;
  }
  const file = path.join(dir, full ? 'parley.json' : 'parley-basic.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/// Every server started, so that nothing outlives the run.
const servers = [];

/// Starts a server (tests/support/parley_server.mjs) and remembers it.
function startServer(bin, configFile) {
  const server = startParley(bin, configFile);
  server.port.catch(() => {}); // awaited later; a rejection here is reported there
  servers.push(server);
  return server;
}

async function killServer(server) {
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
    await Promise.race([server.exited, new Promise((r) => setTimeout(r, EXIT_TIMEOUT_MS))]);
  }
  server.child.stderr?.destroy();
}

async function mint(bin, configFile, site, role, sub, extra = []) {
  const { stdout } = await execFileAsync(bin, ['token', '--config', configFile, '--site', site, '--role', role, '--sub', sub, ...extra],
    { timeout: STEP_TIMEOUT_MS });
  const token = stdout.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, `parley token printed no JWT: ${JSON.stringify(stdout)}`);
  return token;
}

function tamper(token) {
  const [h, c, sig] = token.split('.');
  const i = Math.floor(sig.length / 2);
  return `${h}.${c}.${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ids = (list) => (Array.isArray(list) ? list.map((x) => x.id) : []);
const increasing = (list) => ids(list).every((id, i, a) => i === 0 || a[i - 1] < id);
const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86400_000).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// The checks

async function run(bin, dir) {
  // Start with the full configuration; fall back to one without the keys this binary rejects.
  let configFile = await writeConfig(dir, true);
  let server = startServer(bin, configFile);
  try {
    PORT = await server.port;
    record('the server starts with sites[].anonymous_visitors and dev_tokens', []);
  } catch (err) {
    if (err.code !== 2) throw err;
    // A build without anonymous visitors and dev tokens refuses their config keys:
    // their checks are skipped, everything else runs.
    note(`skipping anonymous visitors and dev tokens: ${err.message.split('\n')[0]}`);
    tokenEndpoints = false;
    configFile = await writeConfig(dir, false);
    server = startServer(bin, configFile);
    PORT = await server.port;
  }
  await checks(bin, configFile);
  await check('SIGTERM: the server exits 0', async () => {
    server.child.kill('SIGTERM');
    const result = await Promise.race([server.exited, sleep(EXIT_TIMEOUT_MS).then(() => 'timeout')]);
    assert.deepEqual(result, { code: 0, signal: null }, `exit: ${JSON.stringify(result)}`);
  });
}

async function checks(bin, configFile) {
  const V1 = await mint(bin, configFile, 'demo', 'visitor', 'v-anna', ['--name', 'Anna']);
  const V2 = await mint(bin, configFile, 'demo', 'visitor', 'v-bob', ['--name', 'Bob']);
  const OP = await mint(bin, configFile, 'demo', 'operator', 'op-olga', ['--name', 'Olga']);
  const OPD = await mint(bin, configFile, 'demo', 'operator', 'op-sales', ['--name', 'Sam', '--departments', 'sales']);
  const OPS = await mint(bin, configFile, 'demo', 'operator', 'op-support', ['--name', 'Sue', '--departments', 'support']);
  const BOT = await mint(bin, configFile, 'demo', 'bot', 'bot-1', ['--name', 'Helper']);
  const OTHER_OP = await mint(bin, configFile, 'other', 'operator', 'op-other');
  const SHORT = await mint(bin, configFile, 'demo', 'operator', 'op-short', ['--ttl', '1']);
  const shortMinted = Date.now();

  const opWs = await openWs(OP);
  const annaWs = await openWs(V1);
  const botWs = await openWs(BOT);

  // --- Service endpoints -------------------------------------------------------------------
  await step('GET /healthz → 200 {"status":"ok"}', { target: '/healthz' }, '/healthz', 200);
  await step('GET /readyz → 200 {"status":"ready"}', { target: '/readyz' }, '/readyz', 200);
  await step('GET /metrics → 200 Prometheus text', { target: '/metrics' }, '/metrics', 200, (res) => {
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(res.text, /^parley_build_info\{/m, 'parley_build_info is missing');
  });
  await step('GET /v1/openapi.json → 200, this document', { target: '/v1/openapi.json' }, '/v1/openapi.json', 200, (res) => {
    assert.deepEqual(res.json, doc, 'the served document differs from web/openapi.json');
  });
  await step('GET /v1/ws without an upgrade → 400', { target: '/v1/ws' }, '/v1/ws', 400);

  // --- Authentication ----------------------------------------------------------------------
  await step('GET /v1/conversations without a token → 401 + WWW-Authenticate', { target: '/v1/conversations' }, '/v1/conversations', 401);
  await step('GET /v1/conversations/1 without a token → 401 + WWW-Authenticate', { target: '/v1/conversations/1' }, '/v1/conversations/{id}', 401);
  await step('GET /v1/conversations/1/parts with a wrongly signed token → 401', { target: '/v1/conversations/1/parts', token: tamper(OP) }, '/v1/conversations/{id}/parts', 401);
  await step('GET /v1/conversations/1/events with a malformed token → 401', { target: '/v1/conversations/1/events', token: 'not-a-jwt' }, '/v1/conversations/{id}/events', 401);
  await step('POST /v1/conversations without a token → 401', { method: 'POST', target: '/v1/conversations', body: { random_id: 'x' } }, '/v1/conversations', 401);
  await step('DELETE /v1/visitors/v-anna without a token → 401', { method: 'DELETE', target: '/v1/visitors/v-anna' }, '/v1/visitors/{id}', 401);
  await step('GET /v1/conversations/1/export without a token → 401', { target: '/v1/conversations/1/export' }, '/v1/conversations/{id}/export', 401);
  await check('GET /v1/ws with a refused token → 401 before the upgrade', async () => {
    const res = await WsClient.connect({ port: PORT, token: tamper(V1) });
    return [...(res.status === 401 ? [] : [`status ${res.status}`]), ...conformance(res, 'GET', '/v1/ws')];
  });
  await check('GET /v1/ws from an origin not in the site\'s origins → 403', async () => {
    const res = await WsClient.connect({ port: PORT, token: V1, origin: EVIL_ORIGIN });
    return [...(res.status === 403 ? [] : [`status ${res.status}`]), ...conformance(res, 'GET', '/v1/ws')];
  });

  // --- POST /v1/conversations --------------------------------------------------------------
  const annaStart = {
    random_id: 'conv-anna-1',
    widget_type: 'popup', widget_id: 'w-1',
    entry_page: 'https://shop.example/cart?email=anna@example.com',
    ext_referer: 'https://www.google.com/search?q=red+shoes',
    int_referer: 'https://shop.example/shoes',
    visit_count: 3, page_count: 5,
    prechat_fields: { email: 'anna@example.com', phone: '+49 170 1234567' },
    visitor_variables: { plan: 'gold' },
    country: 'DE', city: 'Berlin',
  };
  const created = await step('POST /v1/conversations as a visitor → 201 Conversation', { method: 'POST', target: '/v1/conversations', token: V1, body: annaStart }, '/v1/conversations', 201, (res) => {
    const c = res.json;
    assert.equal(c.visitor.id, 'v-anna');
    assert.equal(c.status, 'queued');
    assert.equal(c.site, 'demo');
    assert.ok(!('tags' in c), 'a visitor token gets no tags');
    assert.equal(c.entry_page, annaStart.entry_page);
    assert.equal(c.search_engine, 'google');
    assert.equal(c.search_query, 'red shoes');
    assert.deepEqual(c.prechat_fields, annaStart.prechat_fields);
  });
  let c1 = created.status === 201 ? created.json.id : undefined;
  if (!c1) {
    note('seeding conversation 1 over WebSocket');
    c1 = (await annaWs.command({ op: 'conversation.start', ...annaStart })).conversation.id;
  }
  await step('POST /v1/conversations again with the same random_id → 200, the original', { method: 'POST', target: '/v1/conversations', token: V1, body: annaStart }, '/v1/conversations', 200, (res) => {
    assert.equal(res.json.id, c1, 'a repeat must answer the original conversation');
  });
  const botStart = { random_id: 'conv-bot-1', visitor: { id: 'v-max', name: 'Max' }, department: 'sales' };
  const botCreated = await step('POST /v1/conversations as a bot for a visitor → 201', { method: 'POST', target: '/v1/conversations', token: BOT, body: botStart }, '/v1/conversations', 201, (res) => {
    assert.equal(res.json.visitor.id, 'v-max');
    assert.equal(res.json.visitor.name, 'Max');
    assert.equal(res.json.department, 'sales');
    assert.deepEqual(res.json.tags, [], 'a bot sees tags');
  });
  let c2 = botCreated.status === 201 ? botCreated.json.id : undefined;
  if (!c2) {
    note('seeding conversation 2 over WebSocket');
    c2 = (await botWs.command({ op: 'conversation.start', ...botStart })).conversation.id;
  }
  const bobCreated = await step('POST /v1/conversations as another visitor → 201', { method: 'POST', target: '/v1/conversations', token: V2, body: { random_id: 'conv-bob-1' } }, '/v1/conversations', 201);
  let c3 = bobCreated.status === 201 ? bobCreated.json.id : undefined;
  if (!c3) {
    note('seeding conversation 3 over WebSocket');
    const bobWs = await openWs(V2);
    c3 = (await bobWs.command({ op: 'conversation.start', random_id: 'conv-bob-1' })).conversation.id;
    bobWs.close();
  }
  const supportStart = { random_id: 'conv-bot-2', visitor: { id: 'v-lee' }, department: 'support' };
  const supportCreated = await step('POST /v1/conversations as a bot, department support → 201', { method: 'POST', target: '/v1/conversations', token: BOT, body: supportStart }, '/v1/conversations', 201, (res) => {
    assert.equal(res.json.visitor.name, null, 'a visitor named without a name has name null');
  });
  let c4 = supportCreated.status === 201 ? supportCreated.json.id : undefined;
  if (!c4) {
    note('seeding conversation 4 over WebSocket');
    c4 = (await botWs.command({ op: 'conversation.start', ...supportStart })).conversation.id;
  }
  await step('POST /v1/conversations as a bot without a visitor → 400 naming visitor', { method: 'POST', target: '/v1/conversations', token: BOT, body: { random_id: 'conv-bot-3' } }, '/v1/conversations', 400, messageStartsWith('visitor'));
  await step('POST /v1/conversations as an operator → 403', { method: 'POST', target: '/v1/conversations', token: OP, body: { random_id: 'conv-op-1' } }, '/v1/conversations', 403);
  await step('POST /v1/conversations without random_id → 400 naming random_id', { method: 'POST', target: '/v1/conversations', token: V1, body: { country: 'DE' } }, '/v1/conversations', 400, messageStartsWith('random_id'));
  await step('POST /v1/conversations with a wrongly typed field → 400 naming it', { method: 'POST', target: '/v1/conversations', token: V1, body: { random_id: 'conv-anna-bad', visit_count: 'three' } }, '/v1/conversations', 400, messageStartsWith('visit_count'));
  await step('POST /v1/conversations with malformed JSON → 400', { method: 'POST', target: '/v1/conversations', token: V1, body: '{"random_id":' }, '/v1/conversations', 400);

  // --- POST /v1/conversations/{id}/parts ---------------------------------------------------
  const partsPath = `/v1/conversations/${c1}/parts`;
  const PARTS = '/v1/conversations/{id}/parts';
  const annaPart = {
    type: 'reply_user', random_id: 'p-anna-1',
    body: 'Hi! Mail me at anna@example.com or call +49 170 1234567.',
    attachments: [{ name: 'cart.png', url: 'https://files.shop.example/cart.png', size: 2048, mime: 'image/png' }],
  };
  const p1 = await step('POST …/parts reply_user as the visitor → 201 Part with random_id', { method: 'POST', target: partsPath, token: V1, body: annaPart }, PARTS, 201, (res) => {
    const p = res.json;
    assert.equal(p.random_id, 'p-anna-1');
    assert.equal(p.type, 'reply_user');
    assert.equal(p.sent_via, 'api');
    assert.equal(p.direction, 'u2a');
    assert.equal(p.conversation, c1);
    assert.deepEqual(p.from, { role: 'visitor', id: 'v-anna', name: 'Anna' });
    assert.equal(p.first, true, 'the first part carries first: true');
    assert.deepEqual(p.attachments, annaPart.attachments);
  });
  let p1id = p1.status === 201 ? p1.json.id : undefined;
  if (!p1id) {
    note('seeding the visitor\'s part over WebSocket');
    p1id = (await annaWs.command({ op: 'part.create', conversation: c1, ...annaPart })).part.id;
  }
  await step('POST …/parts again with the same random_id → 200, the original part', { method: 'POST', target: partsPath, token: V1, body: annaPart }, PARTS, 200, (res) => {
    assert.equal(res.json.id, p1id);
    assert.equal(res.json.random_id, 'p-anna-1');
  });

  await check('WebSocket: conversation.assign and conversation.tag answer Conversation objects', async () => {
    const assigned = await opWs.command({ op: 'conversation.assign', conversation: c1 });
    const tagged = await opWs.command({ op: 'conversation.tag', conversation: c1, add: ['vip'] });
    assert.equal(assigned.op, 'conversation', JSON.stringify(assigned));
    assert.equal(tagged.op, 'conversation', JSON.stringify(tagged));
    return [...schemaProblems(SCHEMA('Conversation'), assigned.conversation, 'assign'), ...schemaProblems(SCHEMA('Conversation'), tagged.conversation, 'tag')];
  });

  const olgaReply = { type: 'reply_admin', random_id: 'p-olga-1', body: 'Hello Anna, your order ships tomorrow.' };
  const p2 = await step('POST …/parts reply_admin as an operator → 201', { method: 'POST', target: partsPath, token: OP, body: olgaReply }, PARTS, 201, (res) => {
    assert.equal(res.json.sent_via, 'api');
    assert.equal(res.json.direction, 'a2u');
    assert.equal(res.json.from.role, 'operator');
    assert.equal(res.json.from.id, 'op-olga');
    assert.ok(!('first' in res.json), 'only the first part carries first');
    assert.ok(res.json.id > p1id, 'ids increase within a conversation');
  });
  if (p2.status !== 201) await opWs.command({ op: 'part.create', conversation: c1, ...olgaReply });
  const olgaNote = { type: 'note', random_id: 'n-olga-1', body: 'Paid with card 4111 1111 1111 1111.' };
  const p3 = await step('POST …/parts note as an operator → 201', { method: 'POST', target: partsPath, token: OP, body: olgaNote }, PARTS, 201, (res) => {
    assert.equal(res.json.type, 'note');
  });
  if (p3.status !== 201) await opWs.command({ op: 'part.create', conversation: c1, ...olgaNote });
  await step('POST …/parts chat_bot_admin as a bot → 201', { method: 'POST', target: partsPath, token: BOT, body: { type: 'chat_bot_admin', random_id: 'b-1', body: 'Rate us!', body_json: { card: 'rating' }, actions: [{ type: 'button', text: '5' }] } }, PARTS, 201, (res) => {
    assert.equal(res.json.from.role, 'bot');
    assert.equal(res.json.sent_via, 'api');
    assert.deepEqual(res.json.body_json, { card: 'rating' });
  });
  const vote = { type: 'vote', random_id: 'v-anna-vote', meta_data: { rating: 4 } };
  const p4 = await step('POST …/parts vote as the visitor → 201', { method: 'POST', target: partsPath, token: V1, body: vote }, PARTS, 201, (res) => {
    assert.deepEqual(res.json.meta_data, { rating: 4 });
  });
  if (p4.status !== 201) await annaWs.command({ op: 'part.create', conversation: c1, ...vote });
  await step('POST …/parts a vote out of 1..5 → 400 naming meta_data', { method: 'POST', target: partsPath, token: V1, body: { type: 'vote', random_id: 'v-bad', meta_data: { rating: 9 } } }, PARTS, 400, messageStartsWith('meta_data'));
  await step('POST …/parts note as a visitor → 403', { method: 'POST', target: partsPath, token: V1, body: { type: 'note', random_id: 'n-anna' } }, PARTS, 403);
  await step('POST …/parts a server-only type (assigned) → 403', { method: 'POST', target: partsPath, token: OP, body: { type: 'assigned', random_id: 'a-1' } }, PARTS, 403);
  await step('POST …/parts an unknown type → 400 naming type', { method: 'POST', target: partsPath, token: V1, body: { type: 'bogus', random_id: 'x-1' } }, PARTS, 400, messageStartsWith('type'));
  await step('POST …/parts without random_id → 400 naming random_id', { method: 'POST', target: partsPath, token: V1, body: { type: 'reply_user', body: 'x' } }, PARTS, 400, messageStartsWith('random_id'));
  await step('POST …/parts with a body over limits.max_body_chars → 413', { method: 'POST', target: partsPath, token: V1, body: { type: 'reply_user', random_id: 'long-1', body: 'x'.repeat(LIMITS.max_body_chars + 1) } }, PARTS, 413);
  await step('POST …/parts with a request over limits.max_http_body_bytes → 413', { method: 'POST', target: partsPath, token: V1, body: { type: 'reply_user', random_id: 'huge-1', body: 'x', meta_data: { pad: 'y'.repeat(LIMITS.max_http_body_bytes) } } }, PARTS, 413);
  await step('POST …/parts into another visitor\'s conversation → 403', { method: 'POST', target: partsPath, token: V2, body: { type: 'reply_user', random_id: 'bob-1', body: 'hi' } }, PARTS, 403);
  await step('POST …/parts into a conversation that does not exist → 404', { method: 'POST', target: '/v1/conversations/999999/parts', token: OP, body: { type: 'reply_admin', random_id: 'nf-1', body: 'hi' } }, PARTS, 404);

  await check('WebSocket: the visitor reports vistor-navigate', async () => {
    const ok = await annaWs.command({ op: 'event', conversation: c1, event_type: 'visitor-navigate', page: 'https://shop.example/checkout?phone=+491701234567' });
    assert.equal(ok.op, 'ok', JSON.stringify(ok));
  });

  // --- GET /v1/conversations/{id} ----------------------------------------------------------
  const CONV = '/v1/conversations/{id}';
  await step('GET /v1/conversations/{id} as an operator → 200 with tags, rating, assignee', { target: `/v1/conversations/${c1}`, token: OP }, CONV, 200, (res) => {
    const c = res.json;
    assert.equal(c.id, c1);
    assert.deepEqual(c.tags, ['vip']);
    assert.equal(c.rating, 4);
    assert.equal(c.status, 'assigned');
    assert.equal(c.assignee?.id, 'op-olga');
    assert.ok(!('events' in c) && !('parts' in c), 'no include: no events or parts');
  });
  await step('GET /v1/conversations/{id} as its visitor → 200 without tags', { target: `/v1/conversations/${c1}`, token: V1 }, CONV, 200, (res) => {
    assert.ok(!('tags' in res.json), 'visitors get no tags');
  });
  await step('GET /v1/conversations/{id} as another visitor → 403', { target: `/v1/conversations/${c1}`, token: V2 }, CONV, 403);
  await step('GET /v1/conversations/{id} of another site → 404', { target: `/v1/conversations/${c1}`, token: OTHER_OP }, CONV, 404);
  await step('GET /v1/conversations/{id} of another department → 403', { target: `/v1/conversations/${c2}`, token: OPS }, CONV, 403);
  await step('GET /v1/conversations/{id} of the operator\'s department → 200', { target: `/v1/conversations/${c4}`, token: OPS }, CONV, 200);
  await step('GET /v1/conversations/999999 → 404', { target: '/v1/conversations/999999', token: OP }, CONV, 404);
  await step('GET /v1/conversations/abc → 400 naming id', { target: '/v1/conversations/abc', token: OP }, CONV, 400, messageStartsWith('id'));
  await step('GET /v1/conversations/{id}?include=events,parts as an operator → 200 with both', { target: `/v1/conversations/${c1}?include=events,parts`, token: OP }, CONV, 200, (res) => {
    const c = res.json;
    assert.ok(Array.isArray(c.events) && c.events.length >= 2, 'events embedded');
    assert.equal(c.events[0].event_type, 'visitor-chat-open');
    assert.ok(Array.isArray(c.parts) && c.parts.length >= 5, 'parts embedded');
    assert.ok(increasing(c.parts), 'parts in increasing id order');
    assert.ok(c.parts.some((p) => p.type === 'note'), 'operators see notes');
    assert.ok(c.parts.some((p) => p.type === 'assigned' && p.assignee?.id === 'op-olga'), 'the assigned part');
    assert.ok(c.parts.some((p) => p.type === 'tag_added' && p.tag === 'vip'), 'the tag_added part');
  });
  await step('GET /v1/conversations/{id}?include=parts as its visitor → no notes or tag parts', { target: `/v1/conversations/${c1}?include=parts`, token: V1 }, CONV, 200, (res) => {
    assert.ok(Array.isArray(res.json.parts) && res.json.parts.length >= 3, 'parts embedded');
    assert.ok(!('events' in res.json), 'events were not asked for');
    assert.ok(!res.json.parts.some((p) => ['note', 'tag_added', 'tag_deleted'].includes(p.type)), 'a visitor sees no notes or tag parts');
  });
  await step('GET /v1/conversations/{id}?include=events as its visitor → 403', { target: `/v1/conversations/${c1}?include=events`, token: V1 }, CONV, 403);
  await step('GET /v1/conversations/{id}?include=bogus → 400 naming include', { target: `/v1/conversations/${c1}?include=bogus`, token: OP }, CONV, 400, messageStartsWith('include'));
  await step('GET /v1/conversations/{id}?foo=1 (unknown parameter) → 400 naming foo', { target: `/v1/conversations/${c1}?foo=1`, token: OP }, CONV, 400, messageStartsWith('foo'));

  // --- GET /v1/conversations/{id}/parts ----------------------------------------------------
  let allParts = [];
  await step('GET …/parts as an operator → 200, every part in id order', { target: partsPath, token: OP }, PARTS, 200, (res) => {
    allParts = res.json;
    assert.ok(allParts.length >= 6, `only ${allParts.length} parts`);
    assert.ok(increasing(allParts), 'increasing ids');
    assert.ok(allParts.some((p) => p.type === 'note'));
    assert.ok(allParts.every((p) => !('random_id' in p)), 'random_id only in the answer to the create');
    assert.equal(allParts[0].id, p1id);
  });
  await step('GET …/parts as its visitor → no notes or tag parts', { target: partsPath, token: V1 }, PARTS, 200, (res) => {
    assert.ok(res.json.length >= 3);
    assert.ok(!res.json.some((p) => ['note', 'tag_added', 'tag_deleted'].includes(p.type)));
  });
  await step('GET …/parts?after=ID&limit=2 → the next two', { target: `${partsPath}?after=${p1id}&limit=2`, token: OP }, PARTS, 200, (res) => {
    assert.deepEqual(ids(res.json), ids(allParts).filter((id) => id > p1id).slice(0, 2));
  });
  await step('GET …/parts?before=ID → the parts before it', { target: `${partsPath}?before=${ids(allParts).slice(-1)[0] ?? 1}&limit=3`, token: OP }, PARTS, 200, (res) => {
    assert.deepEqual(ids(res.json), ids(allParts).slice(-4, -1));
  });
  await step('GET …/parts?limit=1 → the latest part', { target: `${partsPath}?limit=1`, token: OP }, PARTS, 200, (res) => {
    assert.deepEqual(ids(res.json), ids(allParts).slice(-1));
  });
  await step('GET …/parts?limit=0 → 400 naming limit', { target: `${partsPath}?limit=0`, token: OP }, PARTS, 400, messageStartsWith('limit'));
  await step('GET …/parts?limit=501 → 400 naming limit', { target: `${partsPath}?limit=501`, token: OP }, PARTS, 400, messageStartsWith('limit'));
  await step('GET …/parts?after=x → 400 naming after', { target: `${partsPath}?after=x`, token: OP }, PARTS, 400, messageStartsWith('after'));
  await step('GET …/parts?cursor=1 (unknown parameter) → 400 naming cursor', { target: `${partsPath}?cursor=1`, token: OP }, PARTS, 400, messageStartsWith('cursor'));
  await step('GET …/parts as another visitor → 403', { target: partsPath, token: V2 }, PARTS, 403);
  await step('GET …/parts of a conversation that does not exist → 404', { target: '/v1/conversations/999999/parts', token: OP }, PARTS, 404);

  // --- GET /v1/conversations/{id}/events ---------------------------------------------------
  const EVENTS = '/v1/conversations/{id}/events';
  const eventsPath = `/v1/conversations/${c1}/events`;
  let allEvents = [];
  await step('GET …/events as an operator → 200, visitor-chat-open first', { target: eventsPath, token: OP }, EVENTS, 200, (res) => {
    allEvents = res.json;
    assert.equal(allEvents[0]?.event_type, 'visitor-chat-open');
    assert.ok(increasing(allEvents));
    const nav = allEvents.find((e) => e.event_type === 'vistor-navigate');
    assert.ok(nav, 'the reported event is stored with the reference spelling vistor-navigate');
    assert.equal(nav.page, 'https://shop.example/checkout?phone=+491701234567');
  });
  await step('GET …/events as a bot → 200', { target: eventsPath, token: BOT }, EVENTS, 200);
  await step('GET …/events?after=ID&limit=1 → the next event', { target: `${eventsPath}?after=${allEvents[0]?.id ?? 0}&limit=1`, token: OP }, EVENTS, 200, (res) => {
    assert.deepEqual(ids(res.json), ids(allEvents).slice(1, 2));
  });
  await step('GET …/events as its visitor → 403', { target: eventsPath, token: V1 }, EVENTS, 403);
  await step('GET …/events?limit=0 → 400 naming limit', { target: `${eventsPath}?limit=0`, token: OP }, EVENTS, 400, messageStartsWith('limit'));
  await step('GET …/events?before=1 (not a parameter here) → 400 naming before', { target: `${eventsPath}?before=1`, token: OP }, EVENTS, 400, messageStartsWith('before'));

  // --- GET /v1/conversations ---------------------------------------------------------------
  const LIST = '/v1/conversations';
  const totalOf = (res) => Number(res.headers['x-total-count']);
  await step('GET /v1/conversations as an operator → 200 with X-Total-Count', { target: LIST, token: OP }, LIST, 200, (res) => {
    assert.ok([c1, c2, c3, c4].every((id) => ids(res.json).includes(id)), 'every conversation of the site');
    assert.equal(totalOf(res), res.json.length);
    assert.equal(res.headers.link, undefined, 'no Link without a next page');
    const created = res.json.map((c) => c.created_at);
    assert.deepEqual(created, [...created].sort().reverse(), 'default order: created_at DESC');
  });
  await step('GET /v1/conversations?status[]=assigned (raw brackets) → only assigned', { target: `${LIST}?status[]=assigned`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json), [c1]);
    assert.equal(totalOf(res), 1);
  });
  await step('GET /v1/conversations?status%5B%5D=queued (percent-encoded) → only queued', { target: `${LIST}?status%5B%5D=queued`, token: OP }, LIST, 200, (res) => {
    assert.ok(res.json.every((c) => c.status === 'queued'));
    assert.ok(ids(res.json).includes(c2) && !ids(res.json).includes(c1));
  });
  await step('GET /v1/conversations?status[]=queued&status[]=assigned → both', { target: `${LIST}?status[]=queued&status[]=assigned`, token: OP }, LIST, 200, (res) => {
    assert.ok([c1, c2, c3].every((id) => ids(res.json).includes(id)));
  });
  let nextLink;
  await step('GET /v1/conversations?per=1 → one item, Link rel="next"', { target: `${LIST}?per=1&sort_column=id&sort_direction=ASC`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json), [c1]);
    assert.ok(totalOf(res) >= 4, `X-Total-Count ${res.headers['x-total-count']}`);
    const m = /^<([^>]+)>; rel="next"$/.exec(res.headers.link ?? '');
    assert.ok(m, `Link: ${res.headers.link}`);
    nextLink = m[1];
    assert.match(nextLink, /[?&]page=2(&|$)/);
    assert.match(nextLink, /[?&]per=1(&|$)/, 'the Link keeps the other parameters');
  });
  if (nextLink) {
    await step('GET the Link rel="next" → the second page', { target: nextLink, token: OP }, LIST, 200, (res) => {
      assert.equal(res.json.length, 1);
      assert.equal(res.json[0].id, c2, 'sorted by id: the second conversation');
    });
  }
  await step('GET /v1/conversations?sort_column=id&sort_direction=ASC → increasing ids', { target: `${LIST}?sort_column=id&sort_direction=ASC`, token: OP }, LIST, 200, (res) => {
    assert.ok(increasing(res.json));
  });
  await step('GET /v1/conversations?created_at[from]=TODAY&created_at[to]=TODAY (dates, inclusive) → all of them', { target: `${LIST}?created_at[from]=${today()}&created_at[to]=${today()}`, token: OP }, LIST, 200, (res) => {
    assert.ok([c1, c2, c3].every((id) => ids(res.json).includes(id)));
  });
  await step('GET /v1/conversations?created_at%5Bfrom%5D=TOMORROW → none, X-Total-Count 0, no Link', { target: `${LIST}?created_at%5Bfrom%5D=${tomorrow()}`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(res.json, []);
    assert.equal(res.headers['x-total-count'], '0');
    assert.equal(res.headers.link, undefined);
  });
  const isoNoMs = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await step('GET /v1/conversations?updated_at[from]=ISO-without-ms&updated_at[to]=ISO-with-ms → 200', { target: `${LIST}?updated_at[from]=${isoNoMs}&updated_at[to]=${new Date(Date.now() + 60_000).toISOString()}`, token: OP }, LIST, 200, (res) => {
    assert.ok([c1, c2, c3].every((id) => ids(res.json).includes(id)));
  });
  await step('GET /v1/conversations?ends_at[from]=TODAY → none yet (all open)', { target: `${LIST}?ends_at[from]=${today()}`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(res.json, []);
  });
  await step('GET /v1/conversations?visitor_id[]=v-anna → only hers', { target: `${LIST}?visitor_id[]=v-anna`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json), [c1]);
  });
  await step('GET /v1/conversations?id[]=C1&id[]=C2 → those two', { target: `${LIST}?id[]=${c1}&id[]=${c2}`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json).sort((a, b) => a - b), [c1, c2].sort((a, b) => a - b));
  });
  await step('GET /v1/conversations?department[]=sales → the sales one', { target: `${LIST}?department[]=sales`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json), [c2]);
  });
  await step('GET /v1/conversations?department[]=sales&department[]=support → both', { target: `${LIST}?department[]=sales&department[]=support`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json).sort((a, b) => a - b), [c2, c4].sort((a, b) => a - b));
  });
  await step('GET /v1/conversations?tag[]=vip → the tagged one', { target: `${LIST}?tag[]=vip`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json), [c1]);
  });
  await step('GET /v1/conversations?agent_id[]=op-olga → hers', { target: `${LIST}?agent_id[]=op-olga`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json), [c1]);
  });
  await step('GET /v1/conversations?message_count[from]=1 → the one with messages', { target: `${LIST}?message_count[from]=1`, token: OP }, LIST, 200, (res) => {
    assert.ok(ids(res.json).includes(c1) && !ids(res.json).includes(c3));
  });
  await step('GET /v1/conversations?message_count[to]=0 → the empty ones', { target: `${LIST}?message_count[to]=0`, token: OP }, LIST, 200, (res) => {
    assert.ok(!ids(res.json).includes(c1) && ids(res.json).includes(c3));
  });
  await step('GET /v1/conversations?rating[from]=4&rating[to]=5 → the rated one', { target: `${LIST}?rating[from]=4&rating[to]=5`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json), [c1]);
  });
  await step('GET /v1/conversations as a visitor → only their own, without tags', { target: LIST, token: V1 }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json), [c1]);
    assert.ok(res.json.every((c) => !('tags' in c)));
    assert.equal(totalOf(res), 1);
  });
  await step('GET /v1/conversations as an operator with departments → not the other departments', { target: LIST, token: OPD }, LIST, 200, (res) => {
    assert.ok(ids(res.json).includes(c2), 'the sales conversation');
    assert.ok(!ids(res.json).includes(c4), 'not the support conversation');
    assert.ok(res.json.every((c) => c.department === null || c.department === 'sales'));
  });
  await step('GET /v1/conversations as an operator of another site → none of these', { target: LIST, token: OTHER_OP }, LIST, 200, (res) => {
    assert.deepEqual(res.json, []);
  });
  for (const [query, field] of [
    ['per=0', 'per'], ['per=201', 'per'], ['per=x', 'per'], ['page=0', 'page'],
    ['sort_column=bogus', 'sort_column'], ['sort_direction=up', 'sort_direction'],
    ['status[]=bogus', 'status[]'], ['created_at[from]=yesterday', 'created_at[from]'],
    ['rating[from]=6', 'rating[from]'], ['message_count[from]=-1', 'message_count[from]'],
    ['foo=1', 'foo'],
  ]) {
    await step(`GET /v1/conversations?${query} → 400 naming ${field}`, { target: `${LIST}?${query}`, token: OP }, LIST, 400, messageStartsWith(field));
  }

  await check('WebSocket: the visitor closes a conversation', async () => {
    const bobWs = await openWs(V2);
    try {
      const closed = await bobWs.command({ op: 'conversation.close', conversation: c3 });
      assert.equal(closed.op, 'conversation', JSON.stringify(closed));
      return schemaProblems(SCHEMA('Conversation'), closed.conversation, 'conversation');
    } finally {
      bobWs.close();
    }
  });
  await step('GET /v1/conversations/{id} of the closed one → finished, ends_at set', { target: `/v1/conversations/${c3}`, token: OP }, CONV, 200, (res) => {
    assert.equal(res.json.status, 'finished');
    assert.ok(res.json.ends_at, 'ends_at set');
  });
  await step('GET …/parts of the closed one → a closed part', { target: `/v1/conversations/${c3}/parts`, token: OP }, PARTS, 200, (res) => {
    assert.ok(res.json.some((p) => p.type === 'closed'), 'the closed part');
  });
  await step('GET /v1/conversations?ends_at[from]=TODAY&status[]=finished → the closed one', { target: `${LIST}?ends_at[from]=${today()}&status[]=finished`, token: OP }, LIST, 200, (res) => {
    assert.deepEqual(ids(res.json), [c3]);
  });

  // --- GET /v1/conversations/{id}/export ---------------------------------------------------
  const EXPORT = '/v1/conversations/{id}/export';
  const exportPath = `/v1/conversations/${c1}/export`;
  let full;
  await step('GET …/export (json, the default) as an operator → 200 Export', { target: exportPath, token: OP }, EXPORT, 200, (res) => {
    full = res.json;
    assert.equal(full.conversation.id, c1);
    assert.ok(full.events.length >= 2);
    assert.ok(full.parts.some((p) => p.type === 'note'), 'an operator export has notes');
    assert.ok(increasing(full.parts) && increasing(full.events));
  });
  await step('GET …/export?format=ndjson → application/x-ndjson, conversation, events, parts', { target: `${exportPath}?format=ndjson`, token: OP }, EXPORT, 200, (res) => {
    assert.match(res.headers['content-type'] ?? '', /^application\/x-ndjson/);
    const lines = res.text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const objects = lines.map((l, i) => { try { return JSON.parse(l); } catch { throw new Error(`line ${i + 1} is not JSON: ${l.slice(0, 80)}`); } });
    const problems = objects.flatMap((o, i) => schemaProblems(SCHEMA('ExportLine'), o, `line ${i + 1}`));
    const kinds = objects.map((o) => Object.keys(o)[0]);
    assert.equal(kinds[0], 'conversation', 'the first line is the conversation');
    const firstPart = kinds.indexOf('part');
    assert.ok(kinds.slice(1).every((k, i) => k === (i + 1 < firstPart || firstPart < 0 ? 'event' : 'part')), `order: ${kinds.join(',')}`);
    if (full) {
      assert.equal(kinds.filter((k) => k === 'event').length, full.events.length, 'as many events as the json export');
      assert.equal(kinds.filter((k) => k === 'part').length, full.parts.length, 'as many parts as the json export');
    }
    return problems;
  });
  await step('GET …/export?format=text → text/plain; charset=utf-8 transcript', { target: `${exportPath}?format=text`, token: OP }, EXPORT, 200, (res) => {
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.ok(res.text.includes(olgaReply.body), 'the transcript has the operator\'s reply');
    assert.ok(res.text.includes('Hi! Mail me'), 'the transcript has the visitor\'s message');
  });
  await step('GET …/export?redact=pii → masked bodies, no names, no PII fields', { target: `${exportPath}?redact=pii`, token: OP }, EXPORT, 200, (res) => {
    const { conversation: c, events, parts } = res.json;
    assert.ok(!('name' in c.visitor), 'visitor.name removed');
    for (const k of ['prechat_fields', 'visitor_variables', 'entry_page', 'ext_referer', 'int_referer', 'search_query', 'country', 'city'])
      assert.equal(c[k], null, `${k} must be null`);
    const anna = parts.find((p) => p.id === p1id);
    assert.ok(anna, 'the visitor\'s part is exported');
    assert.ok(anna.body.includes('[email]') && anna.body.includes('[phone]'), `body: ${anna.body}`);
    assert.ok(!anna.body.includes('anna@example.com'));
    assert.ok(!('attachments' in anna), 'attachments removed');
    assert.ok(parts.every((p) => !('name' in p.from)), 'from.name removed');
    assert.ok(parts.every((p) => p.body_json === null), 'body_json null');
    assert.ok(parts.some((p) => p.type === 'note' && p.body.includes('[card]')), 'the card number is masked');
    assert.ok(events.every((e) => e.page === null && e.event_text === null), 'events: page and event_text null');
  });
  await step('GET …/export as its visitor → no notes or tag parts, no events', { target: exportPath, token: V1 }, EXPORT, 200, (res) => {
    assert.deepEqual(res.json.events, []);
    assert.ok(!res.json.parts.some((p) => ['note', 'tag_added', 'tag_deleted'].includes(p.type)));
    assert.ok(!('tags' in res.json.conversation));
  });
  await step('GET …/export?format=xml → 400 naming format', { target: `${exportPath}?format=xml`, token: OP }, EXPORT, 400, messageStartsWith('format'));
  await step('GET …/export?redact=all → 400 naming redact', { target: `${exportPath}?redact=all`, token: OP }, EXPORT, 400, messageStartsWith('redact'));
  await step('GET …/export as another visitor → 403', { target: exportPath, token: V2 }, EXPORT, 403);
  await step('GET …/export of a conversation that does not exist → 404', { target: '/v1/conversations/999999/export', token: OP }, EXPORT, 404);

  // --- CORS --------------------------------------------------------------------------------
  const preflightHeaders = { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' };
  for (const [target, template] of [['/v1/conversations', '/v1/conversations'], [partsPath, PARTS], ['/v1/visitors/v-anna', '/v1/visitors/{id}']]) {
    await step(`OPTIONS ${template} from an allowed origin → 204 with the CORS headers`, { method: 'OPTIONS', target, headers: preflightHeaders }, template, 204, (res) => {
      assert.equal(res.headers['access-control-allow-origin'], ORIGIN);
      assert.equal(res.headers.vary, 'Origin');
      assert.equal(res.headers['access-control-allow-methods'], 'GET, POST, DELETE');
      assert.equal(res.headers['access-control-allow-headers'], 'Authorization, Content-Type');
      assert.equal(res.headers['access-control-max-age'], '600');
    });
  }
  await check('OPTIONS /v1/conversations from another origin → no CORS headers', async () => {
    const res = await request({ method: 'OPTIONS', target: '/v1/conversations', headers: { ...preflightHeaders, Origin: EVIL_ORIGIN } });
    const cors = Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));
    assert.deepEqual(cors, [], `status ${res.status} with ${cors.join(', ')}`);
  });
  await step('GET /v1/conversations/{id} with an allowed Origin → Access-Control-Allow-Origin, Vary, Expose-Headers', { target: `/v1/conversations/${c1}`, token: OP, headers: { Origin: ORIGIN } }, CONV, 200, (res) => {
    assert.equal(res.headers['access-control-allow-origin'], ORIGIN);
    assert.match(res.headers.vary ?? '', /\bOrigin\b/);
    assert.equal(res.headers['access-control-expose-headers'], 'X-Total-Count, Link');
  });
  await step('GET /v1/conversations/{id} with another Origin → no CORS headers', { target: `/v1/conversations/${c1}`, token: OP, headers: { Origin: EVIL_ORIGIN } }, CONV, 200, (res) => {
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  // --- Tokens: anonymous visitors and dev tokens -------------------------------------------
  async function tokenChecks() {
  const ANON = '/v1/sites/{site}/visitors';
  const RENEW = '/v1/sites/{site}/visitors/renew';
  let anon;
  await step('POST /v1/sites/demo/visitors (no token, allowed Origin) → 201 anonymous visitor', { method: 'POST', target: '/v1/sites/demo/visitors', headers: { Origin: ORIGIN } }, ANON, 201, (res) => {
    anon = res.json;
    const exp = Date.parse(anon.expires_at);
    assert.ok(exp > Date.now() + 29 * 86400_000 && exp < Date.now() + 31 * 86400_000, `expires_at ${anon.expires_at}: default 30 days`);
  });
  if (anon) {
    await step('the anonymous visitor token works: GET /v1/conversations → 200 []', { target: LIST, token: anon.token }, LIST, 200, (res) => {
      assert.deepEqual(res.json, []);
    });
    await sleep(1100); // a new expiry needs a new second
    await step('POST /v1/sites/demo/visitors/renew → 200, same visitor, later expiry', { method: 'POST', target: '/v1/sites/demo/visitors/renew', token: anon.token }, RENEW, 200, (res) => {
      assert.equal(res.json.visitor.id, anon.visitor.id);
      assert.ok(Date.parse(res.json.expires_at) > Date.parse(anon.expires_at), 'a new expiry');
    });
  }
  await step('POST /v1/sites/demo/visitors from an origin not in origins → 403', { method: 'POST', target: '/v1/sites/demo/visitors', headers: { Origin: EVIL_ORIGIN } }, ANON, 403);
  await step('POST /v1/sites/other/visitors (no anonymous_visitors) → 404', { method: 'POST', target: '/v1/sites/other/visitors' }, ANON, 404);
  await step('POST /v1/sites/demo/visitors/renew without a token → 401', { method: 'POST', target: '/v1/sites/demo/visitors/renew' }, RENEW, 401);
  await step('POST /v1/sites/demo/visitors/renew with a visitor token that is not anonymous → 403', { method: 'POST', target: '/v1/sites/demo/visitors/renew', token: V1 }, RENEW, 403);
  const DEV = '/v1/dev/token';
  let devToken;
  await step('POST /v1/dev/token → 200 {"token"}', { method: 'POST', target: '/v1/dev/token', body: { site: 'demo', role: 'operator', sub: 'op-dev', name: 'Dev' } }, DEV, 200, (res) => {
    devToken = res.json.token;
  });
  if (devToken) await step('the dev token works: GET /v1/conversations → 200', { target: LIST, token: devToken }, LIST, 200);
  await step('POST /v1/dev/token with an unknown role → 400 naming role', { method: 'POST', target: '/v1/dev/token', body: { site: 'demo', role: 'admin', sub: 'x' } }, DEV, 400, messageStartsWith('role'));
  }
  if (tokenEndpoints) await tokenChecks();

  // --- DELETE /v1/visitors/{id} ------------------------------------------------------------
  const ERASE = '/v1/visitors/{id}';
  await step('DELETE /v1/visitors/{id} as a visitor → 403', { method: 'DELETE', target: '/v1/visitors/v-anna', token: V1 }, ERASE, 403);
  await step('DELETE /v1/visitors/{id} as a bot → 403', { method: 'DELETE', target: '/v1/visitors/v-anna', token: BOT }, ERASE, 403);
  await step('DELETE /v1/visitors/{id} as an operator with departments → 403', { method: 'DELETE', target: '/v1/visitors/v-anna', token: OPD }, ERASE, 403);
  await step('DELETE /v1/visitors/{id} as an operator → 200 EraseResult', { method: 'DELETE', target: '/v1/visitors/v-anna', token: OP }, ERASE, 200, (res) => {
    assert.equal(res.json.visitor.id, 'v-anna');
    assert.equal(res.json.conversations, 1);
    assert.ok(res.json.parts_erased >= 2, `parts_erased ${res.json.parts_erased}: her message and her vote`);
  });
  await step('DELETE /v1/visitors/{id} again → 200, parts_erased 0', { method: 'DELETE', target: '/v1/visitors/v-anna', token: OP }, ERASE, 200, (res) => {
    assert.equal(res.json.parts_erased, 0);
  });
  await step('after the erase: her parts read as removed', { target: partsPath, token: OP }, PARTS, 200, (res) => {
    const hers = res.json.filter((p) => p.from.id === 'v-anna' && ['reply_user', 'vote'].includes(p.type));
    assert.ok(hers.length >= 2);
    for (const p of hers) {
      assert.ok(Number.isInteger(p.removed), `part ${p.id}: removed set`);
      assert.equal(p.body, '');
      assert.equal(p.body_json, null);
      assert.ok(!('attachments' in p), `part ${p.id}: attachments cleared`);
      assert.ok(!('name' in p.from), `part ${p.id}: from.name removed`);
    }
    assert.ok(res.json.some((p) => p.from.id === 'op-olga' && p.body === olgaReply.body), 'other parts are kept');
  });
  await step('after the erase: her conversation has no PII fields', { target: `/v1/conversations/${c1}`, token: OP }, CONV, 200, (res) => {
    assert.equal(res.json.visitor.name ?? null, null, 'visitor.name cleared');
    for (const k of ['prechat_fields', 'visitor_variables', 'entry_page', 'ext_referer', 'int_referer', 'search_query', 'country', 'city'])
      assert.equal(res.json[k], null, `${k} must be null`);
  });
  await step('DELETE /v1/visitors/{id} of an unknown visitor → 200 with zeros', { method: 'DELETE', target: '/v1/visitors/nobody', token: OP }, ERASE, 200, (res) => {
    assert.deepEqual(res.json, { visitor: { id: 'nobody' }, conversations: 0, parts_erased: 0 });
  });

  // --- Expired tokens ----------------------------------------------------------------------
  await sleep(Math.max(0, shortMinted + 2100 - Date.now()));
  await step('GET /v1/conversations/{id} with an expired token → 401', { target: `/v1/conversations/${c1}`, token: SHORT }, CONV, 401);

  for (const ws of [opWs, annaWs, botWs]) ws.close();
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const bin = process.argv[2];
  if (!bin) {
    console.error('usage: node responses.test.mjs <path-to-parley-binary>');
    process.exit(2);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-openapi-'));
  const watchdog = setTimeout(() => {
    console.log(`not ok - the run finished within ${WATCHDOG_MS} ms`);
    for (const s of servers) try { s.child.kill('SIGKILL'); } catch { /* already gone */ }
    rmSync(dir, { recursive: true, force: true });
    console.log(`responses: ${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  }, WATCHDOG_MS);
  try {
    await run(path.resolve(bin), dir);
  } catch (err) {
    record('the run completed', [err.stack ?? String(err)]);
  } finally {
    // The watchdog stays armed through clean-up.
    for (const s of servers) await killServer(s);
    clearTimeout(watchdog);
    await rm(dir, { recursive: true, force: true });
  }
  const last = servers[servers.length - 1];
  if (failed && last && process.env.PARLEY_SHOW_LOG) console.log(`--- server stderr ---\n${last.stderr}--- end of server stderr ---`);
  console.log(`responses: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
