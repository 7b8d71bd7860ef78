// The visitor's side of the protocol (docs/protocol.md §14): a token, one WebSocket that
// reconnects with backoff, the conversation's cursor and epoch, and every part sent
// kept with its random_id until the server confirms it, so nothing is lost or doubled.

import { refreshBeforeExpiry, tokenExpiry } from '../shared/token_refresh.js';

const RENEW_BEFORE_S = 86400;

/** A random_id: crypto.randomUUID where the page is a secure context, else 128 random bits. */
export function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class Session extends EventTarget {
  constructor({ server, site, tokenUrl }) {
    super();
    this.server = server;
    this.site = site;
    this.tokenUrl = tokenUrl;
    this.key = `parley:${site}`;
    this.state = { token: null, expiresAt: null, conversation: null, epoch: null, lastId: 0, startId: null, pending: [] };
    try { Object.assign(this.state, JSON.parse(localStorage.getItem(this.key) || '{}')); } catch { /* a fresh start */ }
    this.ws = null;
    this.ready = false;
    this.delay = 500;
    this.limits = { max_body_chars: 10000 };
    this.lastTyping = 0;
  }

  save() { try { localStorage.setItem(this.key, JSON.stringify(this.state)); } catch { /* private mode */ } }
  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
  get hasConversation() { return Boolean(this.state.conversation); }

  identify(token) { this.state.token = token; this.state.expiresAt = null; this.save(); this.reconnect(); }

  /** A token from identify() has no source here: only the site can give a new one. */
  get renewable() { return Boolean(this.tokenUrl || this.state.expiresAt || !this.state.token); }

  /** A token to use now: the kept one unless it nears its end (or `renew` asks for a new one). */
  async token(renew = false) {
    const s = this.state;
    const now = Date.now() / 1000;
    if (s.token && !this.renewable) return s.token;
    const expiry = s.expiresAt ? Date.parse(s.expiresAt) / 1000 : s.token && tokenExpiry(s.token);
    // Anonymous tokens are renewed a day ahead, which extends the visitor's identity;
    // a site's own tokens just before they end.
    if (!renew && s.token && (!expiry || expiry > now + (this.tokenUrl ? 30 : RENEW_BEFORE_S))) return s.token;
    let answer;
    if (this.tokenUrl) {
      answer = await this.fetchJson(this.tokenUrl, { credentials: 'include' });
    } else if (s.token && s.expiresAt && Date.parse(s.expiresAt) / 1000 > now) {
      answer = await this.fetchJson(`${this.server}/v1/sites/${encodeURIComponent(this.site)}/visitors/renew`,
        { method: 'POST', headers: { Authorization: `Bearer ${s.token}` } }).catch(() => null);
    }
    if (!answer && !this.tokenUrl)
      answer = await this.fetchJson(`${this.server}/v1/sites/${encodeURIComponent(this.site)}/visitors`, { method: 'POST' });
    s.token = answer.token;
    s.expiresAt = answer.expires_at || null;
    this.save();
    return s.token;
  }

  async fetchJson(url, init = {}) {
    const res = await fetch(url, init);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return res.json();
  }

  /** Opens the connection (idempotent); it then stays up, reconnecting as needed. */
  async connect() {
    if (this.ws || this.connecting) return;
    this.connecting = true;
    let token;
    try { token = await this.token(); } catch (err) {
      this.connecting = false;
      this.emit('status', { online: false, error: String(err.message || err) });
      return this.retryLater();
    }
    const url = new URL(`/v1/ws?token=${encodeURIComponent(token)}`, this.server);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.ws = ws;
    this.wsToken = token;
    this.connecting = false;
    ws.onmessage = (e) => this.onFrame(JSON.parse(e.data));
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      this.stopRefresh?.();
      this.emit('status', { online: false });
      // The token ended (a refresh failed): get a new one before trying again. Other
      // closes (1008 slow consumer, 1001 restart) keep it, and with it the conversation.
      if (e.code === 4001 && this.renewable) this.state.expiresAt = new Date(0).toISOString();
      this.retryLater();
    };
  }

  /** Hands the open connection a fresh token before its own expires. */
  async refreshToken() {
    if (!this.renewable) return;
    let token;
    try { token = await this.token(true); } catch { return; } // the reconnect after 4001 tries again
    if (!this.ws) return;
    this.wsToken = token;
    this.send({ op: 'auth.refresh', token, ref: 'auth' });
    this.stopRefresh = refreshBeforeExpiry(token, () => this.refreshToken());
  }

  retryLater() {
    clearTimeout(this.timer);
    const wait = this.delay * (0.5 + Math.random());
    this.delay = Math.min(this.delay * 2, 30000);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  reconnect() { if (this.ws) this.ws.close(); else if (this.started) this.connect(); }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  onFrame(f) {
    const s = this.state;
    switch (f.op) {
    case 'hello':
      this.delay = 500;
      this.limits = f.limits;
      if (s.epoch && s.epoch !== f.server.epoch) { s.lastId = 0; this.emit('reset'); }
      s.epoch = f.server.epoch;
      this.save();
      this.stopRefresh?.();
      this.stopRefresh = refreshBeforeExpiry(this.wsToken, () => this.refreshToken());
      if (s.conversation) this.send({ op: 'subscribe', conversation: s.conversation, after: s.lastId, epoch: s.epoch });
      else if (s.startId || s.pending.length) this.start();
      this.emit('status', { online: true });
      break;
    case 'conversation.started':
      s.conversation = f.conversation.id;
      s.startId = null;
      this.save();
      this.emit('conversation', f.conversation);
      this.ready = true;
      this.flush();
      break;
    case 'subscribed':
      s.lastId = Math.max(s.lastId, f.last_id || 0);
      this.save();
      this.emit('conversation', f.conversation);
      this.ready = true;
      this.flush();
      break;
    case 'part.created': {
      const i = s.pending.findIndex((p) => p.random_id === f.part.random_id);
      if (i >= 0) s.pending.splice(i, 1);
      this.seen(f.part);
      this.emit('confirmed', f.part);
      break;
    }
    case 'part':
      this.seen(f.part);
      this.emit('part', f.part);
      break;
    case 'part.updated': this.emit('part', f.part); break;
    case 'conversation': this.emit('conversation', f.conversation); break;
    case 'typing': this.emit('typing', f); break;
    case 'read': this.emit('read', f); break;
    case 'error':
      if (f.random_id) {
        const p = s.pending.find((x) => x.random_id === f.random_id);
        if (p && f.code !== 'unavailable') { p.failed = true; this.save(); }
        this.emit('failed', { random_id: f.random_id, code: f.code, message: f.message });
      } else if (s.startId && !s.conversation) {
        this.emit('status', { online: true, error: f.message });
      }
      break;
    default: break;
    }
  }

  seen(part) {
    if (part.id > this.state.lastId) { this.state.lastId = part.id; this.save(); }
  }

  start() {
    const s = this.state;
    if (!s.startId) { s.startId = randomId(); this.save(); }
    // A referrer on this site is the page the visitor came from here; any other, the
    // page that sent them to the site.
    let internal = false;
    try { internal = Boolean(document.referrer) && new URL(document.referrer).origin === location.origin; } catch { /* none */ }
    this.send({
      op: 'conversation.start', random_id: s.startId, widget_type: 'embedded', entry_page: location.href,
      ext_referer: !internal && document.referrer ? document.referrer : undefined,
      int_referer: internal ? document.referrer : undefined,
      prechat_fields: s.prechat && Object.keys(s.prechat).length ? s.prechat : undefined,
    });
  }

  /** Every part not confirmed yet, with its original random_id. */
  flush() {
    for (const p of this.state.pending)
      if (!p.failed) this.send({ op: 'part.create', conversation: this.state.conversation, type: 'reply_user', random_id: p.random_id, body: p.body });
  }

  /** Queues a message; it is sent now, or as soon as the connection is back. */
  post(body) {
    const p = { random_id: randomId(), body };
    this.state.pending.push(p);
    this.save();
    this.started = true;
    if (!this.ws) this.connect();
    else if (this.ready) this.flush1(p);
    else if (!this.state.conversation && !this.state.startId) this.start();
    return p;
  }

  flush1(p) {
    this.send({ op: 'part.create', conversation: this.state.conversation, type: 'reply_user', random_id: p.random_id, body: p.body });
  }

  retry(randomIdOf) {
    const p = this.state.pending.find((x) => x.random_id === randomIdOf);
    if (!p) return;
    p.failed = false;
    this.save();
    if (this.ready) this.flush1(p);
  }

  typing() {
    const now = Date.now();
    if (!this.ready || now - this.lastTyping < 3000) return;
    this.lastTyping = now;
    this.send({ op: 'typing', conversation: this.state.conversation });
  }

  read(upTo) {
    if (this.ready && upTo > (this.readUpTo || 0)) {
      this.readUpTo = upTo;
      this.send({ op: 'read', conversation: this.state.conversation, up_to: upTo });
    }
  }

  /** One page of history over HTTP: the newest, or the one before `before`. */
  async history(before) {
    const q = new URLSearchParams({ limit: '50' });
    if (before) q.set('before', String(before));
    const token = await this.token();
    return this.fetchJson(`${this.server}/v1/conversations/${this.state.conversation}/parts?${q}`,
      { headers: { Authorization: `Bearer ${token}` } });
  }
}
