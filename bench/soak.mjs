// The soak run (issue of reliability: a server that runs for months keeps a bounded
// footprint): ten minutes or more of mixed load on the real binary, with at least
// 100,000 connection churns (connect, subscribe with `after`, write a part, close),
// an inbox listener, HTTP history and list reads, and typing/read commands. Samples the
// server's RSS and open file descriptors, and fails on any error, a leaked descriptor,
// or RSS that keeps growing after the warm-up.
//
//   node bench/soak.mjs [--minutes 10] [--warmup-minutes 2] [--churns 100000] [--bin build/parley]
//                       [--workers 24] [--cache-mib 8] [--memtable-mib 32]
//
// Prints one line per sample and a JSON summary; exits 1 when a check fails.

import crypto from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { WsClient } from '../tests/openapi/ws_client.mjs';
import { startServer } from '../tests/support/parley_server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MINUTES = Number(arg('minutes', 10));
const CHURNS = Number(arg('churns', 100000));
const WORKERS = Number(arg('workers', 24));
const BIN = path.resolve(arg('bin', path.join(here, '../build/parley')));
const VISITORS = 200;
const SAMPLE_MS = 20_000;
const WARMUP_MS = Number(arg('warmup-minutes', 2)) * 60_000;
// RocksDB's memory budgets (storage.cache_bytes, storage.memtable_bytes), smaller than
// the defaults so that both fill up within the warm-up and RSS can level off within
// the run; a production server reaches its own, larger bounds the same way, later.
const CACHE_MIB = Number(arg('cache-mib', 8));
const MEMTABLE_MIB = Number(arg('memtable-mib', 32));
const SECRET = 'soak-secret-0123456789abcdef';

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function token(role, sub) {
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ site: 'demo', role, sub, exp: Math.floor(Date.now() / 1000) + 86400 });
  const sig = crypto.createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

async function sample(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  // Sockets (connections, the listener) apart from files (RocksDB's tables and logs,
  // at most its max_open_files): a leaked connection shows in the first.
  const names = await readdir(`/proc/${pid}/fd`);
  let sockets = 0;
  for (const n of names) {
    try { if ((await readlink(`/proc/${pid}/fd/${n}`)).startsWith('socket:')) sockets += 1; } catch { /* closed meanwhile */ }
  }
  return { rss_kib: rss, fds: names.length, sockets };
}

// What the server says it holds: RocksDB's memtables and block cache (each bounded by its
// storage.* budget) and the hub's conversations. RSS less the first two is the heap the
// rest of the server uses.
async function gauges(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (name) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    memtable_kib: Math.round(read('parley_store_memtable_bytes') / 1024),
    cache_kib: Math.round(read('parley_store_block_cache_bytes') / 1024),
    conversations: read('parley_conversations_in_memory'),
  };
}

async function measure(pid, base) {
  const s = { ...(await sample(pid)), ...(await gauges(base)) };
  s.heap_kib = s.rss_kib - s.memtable_kib - s.cache_kib;
  return s;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-soak-'));
const config = path.join(dir, 'parley.json');
await writeFile(config, JSON.stringify({
  sites: [{ id: 'demo', secret: SECRET }], storage: { path: path.join(dir, 'data'), cache_bytes: CACHE_MIB << 20, memtable_bytes: MEMTABLE_MIB << 20 }, log: { level: 'info' },
  limits: { commands_per_s: 100000, commands_burst: 100000, connections_per_actor: 1000 },
}));
const server = startServer(BIN, config);
const port = await server.port;
const pid = server.child.pid;
const base = `http://127.0.0.1:${port}`;
const errors = [];
const fail = (what, err) => { if (errors.length < 20) errors.push(`${what}: ${err?.message ?? err}`); };
const count = { churns: 0, parts: 0, http: 0, inbox_frames: 0 };

// Conversations, one per visitor, started once.
const visitors = [];
for (let i = 0; i < VISITORS; i += 1) {
  const tok = token('visitor', `soak-v${i}`);
  const { ws } = await WsClient.connect({ port, token: tok });
  await ws.next((f) => f.op === 'hello');
  const started = await ws.command({ op: 'conversation.start', random_id: `soak-start-${i}` });
  visitors.push({ token: tok, conversation: started.conversation.id, last: 0, next: 0 });
  ws.close();
}
const staff = token('operator', 'soak-op');
const inbox = (await WsClient.connect({ port, token: staff })).ws;
await inbox.next((f) => f.op === 'hello');
await inbox.command({ op: 'subscribe', inbox: true, parts: true });
const drainInbox = setInterval(() => { count.inbox_frames += inbox.frames.length; inbox.frames.length = 0; }, 1000);

const started = Date.now();
const done = () => Date.now() - started >= MINUTES * 60_000 && count.churns >= CHURNS;

async function churner(w) {
  while (!done()) {
    const v = visitors[(w * 7919 + count.churns) % VISITORS];
    try {
      const { status, ws } = await WsClient.connect({ port, token: v.token });
      if (status !== 101) throw new Error(`upgrade ${status}`);
      await ws.next((f) => f.op === 'hello');
      const sub = await ws.command({ op: 'subscribe', conversation: v.conversation, after: v.last });
      v.last = Math.max(v.last, sub.last_id);
      const rid = `soak-${v.conversation}-${v.next++}`;
      const created = await ws.command({ op: 'part.create', conversation: v.conversation, type: 'reply_user', random_id: rid, body: `soak ${rid}` });
      if (created.op !== 'part.created') throw new Error(JSON.stringify(created));
      v.last = Math.max(v.last, created.part.id);
      if (count.churns % 5 === 0) await ws.command({ op: 'typing', conversation: v.conversation });
      if (count.churns % 7 === 0) await ws.command({ op: 'read', conversation: v.conversation, up_to: v.last });
      count.parts += 1;
      ws.close();
      count.churns += 1;
    } catch (err) { fail('churn', err); await new Promise((r) => setTimeout(r, 100)); }
  }
}

async function reader() {
  while (!done()) {
    const v = visitors[Math.floor(Math.random() * VISITORS)];
    const urls = [`/v1/conversations/${v.conversation}/parts?limit=50`, '/v1/conversations?per=20&sort_column=updated_at',
      `/v1/conversations/${v.conversation}`];
    for (const u of urls) {
      try {
        const res = await fetch(base + u, { headers: { Authorization: `Bearer ${staff}` } });
        if (res.status !== 200) throw new Error(`${u}: ${res.status}`);
        await res.arrayBuffer();
        count.http += 1;
      } catch (err) { fail('http', err); }
    }
  }
}

const curve = [];
const sampler = setInterval(async () => {
  const s = { t_s: Math.round((Date.now() - started) / 1000), ...(await measure(pid, base)), ...count };
  curve.push(s);
  console.log(JSON.stringify(s));
}, SAMPLE_MS);
curve.push({ t_s: 0, ...(await measure(pid, base)), ...count });

await Promise.all([...Array.from({ length: WORKERS }, (_, w) => churner(w)), reader(), reader()]);
clearInterval(sampler);
clearInterval(drainInbox);
inbox.close();
await new Promise((r) => setTimeout(r, 6000)); // closing handshakes finish, idle keep-alives close
const end = { t_s: Math.round((Date.now() - started) / 1000), ...(await measure(pid, base)), ...count };
curve.push(end);

// After the warm-up, memory must level off: the highest sample of the last third may not
// sit more than 10 % above the highest of the first third. RSS rises and falls with the
// memtables (a sawtooth, one tooth per flush), so peaks are compared, not single samples;
// the heap without RocksDB's budgets is checked the same way.
const settled = curve.filter((s) => s.t_s * 1000 >= WARMUP_MS);
const third = Math.max(1, Math.floor(settled.length / 3));
const peak = (samples, key) => Math.max(...samples.map((s) => s[key]));
const early = peak(settled.slice(0, third), 'rss_kib');
const late = peak(settled.slice(-third), 'rss_kib');
const earlyHeap = peak(settled.slice(0, third), 'heap_kib');
const lateHeap = peak(settled.slice(-third), 'heap_kib');
const checks = {
  no_errors: errors.length === 0,
  sockets_back: end.sockets <= curve[0].sockets + 2,
  rss_flat_after_warmup: settled.length >= 3 && late <= early * 1.1,
  heap_flat_after_warmup: settled.length >= 3 && lateHeap <= earlyHeap * 1.1,
  churns_done: count.churns >= CHURNS,
};
console.log(JSON.stringify({ scenario: 'soak', minutes: MINUTES, ...count, rss_start_kib: curve[0].rss_kib,
  rss_peak_early_kib: early, rss_peak_late_kib: late, heap_peak_early_kib: earlyHeap, heap_peak_late_kib: lateHeap,
  fds_start: curve[0].fds, fds_end: end.fds, sockets_start: curve[0].sockets, sockets_end: end.sockets, errors, checks }));
server.child.kill('SIGTERM');
await server.exited;
await rm(dir, { recursive: true, force: true });
process.exit(Object.values(checks).every(Boolean) ? 0 : 1);
