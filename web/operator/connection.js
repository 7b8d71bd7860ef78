// The operator panel's WebSocket: commands answered by ref, every other frame to
// listeners, reconnect with backoff and jitter, and a fresh token handed over before the
// old one ends (docs/protocol.md §7.16, §14).

import { refreshBeforeExpiry, tokenExpiry } from '../shared/token_refresh.js';

export class Connection extends EventTarget {
  /** @param renew async () => a fresh token for the same operator */
  constructor(token, renew) {
    super();
    this.token = token;
    this.renew = renew;
    this.stopRefresh = () => {};
    this.refs = 0;
    this.waiting = new Map();
    this.delay = 500;
    this.ws = null;
  }

  async open() {
    // Reconnecting with an expired token would only be refused.
    if ((tokenExpiry(this.token) ?? Infinity) * 1000 <= Date.now() + 2000) await this.takeFreshToken().catch(() => {});
    const url = new URL(`/v1/ws?token=${encodeURIComponent(this.token)}`, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (e) => {
      const f = JSON.parse(e.data);
      if (f.op === 'hello') {
        this.delay = 500;
        this.hello = f;
        this.stopRefresh();
        this.stopRefresh = refreshBeforeExpiry(this.token, () => this.refresh());
      }
      const waiter = f.ref && this.waiting.get(f.ref);
      if (waiter) { this.waiting.delete(f.ref); (f.op === 'error' ? waiter.reject : waiter.resolve)(f); }
      this.dispatchEvent(new CustomEvent(f.op, { detail: f }));
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.stopRefresh();
      for (const w of this.waiting.values()) w.reject({ code: 'unavailable', message: 'connection lost' });
      this.waiting.clear();
      this.dispatchEvent(new CustomEvent('offline'));
      const wait = this.delay * (0.5 + Math.random());
      this.delay = Math.min(this.delay * 2, 30000);
      setTimeout(() => this.open(), wait);
    };
  }

  async takeFreshToken() {
    this.token = await this.renew();
    this.dispatchEvent(new CustomEvent('token', { detail: this.token }));
  }

  async refresh() {
    try {
      await this.takeFreshToken();
      await this.command({ op: 'auth.refresh', token: this.token });
    } catch { /* the server closes at exp; the reconnect takes a fresh token */ }
    this.stopRefresh = refreshBeforeExpiry(this.token, () => this.refresh());
  }

  /** Sends `cmd`; resolves with the answer carrying its ref, rejects with an error frame. */
  command(cmd) {
    const ref = `p${++this.refs}`;
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return reject({ code: 'unavailable', message: 'offline' });
      this.waiting.set(ref, { resolve, reject });
      this.ws.send(JSON.stringify({ ...cmd, ref }));
    });
  }

  /** An HTTP API call with this token. */
  async api(path, init = {}) {
    const res = await fetch(path, { ...init, headers: { Authorization: `Bearer ${this.token}`, ...(init.headers || {}) } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res;
  }
}
