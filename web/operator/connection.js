// The operator panel's WebSocket: commands answered by ref, every other frame to
// listeners, reconnect with backoff and jitter (docs/protocol.md §14).

export class Connection extends EventTarget {
  constructor(token) {
    super();
    this.token = token;
    this.refs = 0;
    this.waiting = new Map();
    this.delay = 500;
    this.ws = null;
  }

  open() {
    const url = new URL(`/v1/ws?token=${encodeURIComponent(this.token)}`, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (e) => {
      const f = JSON.parse(e.data);
      if (f.op === 'hello') { this.delay = 500; this.hello = f; }
      const waiter = f.ref && this.waiting.get(f.ref);
      if (waiter) { this.waiting.delete(f.ref); (f.op === 'error' ? waiter.reject : waiter.resolve)(f); }
      this.dispatchEvent(new CustomEvent(f.op, { detail: f }));
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      for (const w of this.waiting.values()) w.reject({ code: 'unavailable', message: 'connection lost' });
      this.waiting.clear();
      this.dispatchEvent(new CustomEvent('offline'));
      const wait = this.delay * (0.5 + Math.random());
      this.delay = Math.min(this.delay * 2, 30000);
      setTimeout(() => this.open(), wait);
    };
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
