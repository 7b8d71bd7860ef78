// A minimal WebSocket client for the API checks: Node 18 has no WebSocket, and the
// suite depends on nothing but its validators.
import crypto from 'node:crypto';
import net from 'node:net';

/** How long next() waits for a matching frame by default. */
const STEP_TIMEOUT_MS = 5_000;

/// A minimal RFC 6455 client: text frames, client masking, answers pings.
export class WsClient {
  static connect({ port, token, origin, target } = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      const key = crypto.randomBytes(16).toString('base64');
      const lines = [
        `GET ${target ?? `/v1/ws?token=${encodeURIComponent(token)}`} HTTP/1.1`, `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13',
      ];
      if (origin) lines.push(`Origin: ${origin}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      let buf = Buffer.alloc(0);
      let head = null;
      const timer = setTimeout(() => { socket.destroy(); reject(new Error('no WebSocket handshake answer')); }, STEP_TIMEOUT_MS);
      const onData = (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (!head) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const [statusLine, ...headerLines] = buf.subarray(0, end).toString('latin1').split('\r\n');
          const headers = {};
          for (const l of headerLines) {
            const i = l.indexOf(':');
            headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
          }
          head = { status: Number(statusLine.split(' ')[1]), headers };
          buf = buf.subarray(end + 4);
        }
        if (head.status === 101) {
          clearTimeout(timer);
          socket.off('data', onData);
          const expected = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
          if (head.headers['sec-websocket-accept'] !== expected) { socket.destroy(); reject(new Error('bad Sec-WebSocket-Accept')); return; }
          resolve({ status: 101, headers: head.headers, text: '', ws: new WsClient(socket, buf) });
          return;
        }
        const length = Number(head.headers['content-length'] ?? 0);
        if (buf.length >= length) {
          clearTimeout(timer);
          socket.destroy();
          const text = buf.subarray(0, length).toString('utf8');
          let json;
          try { json = JSON.parse(text); } catch { json = undefined; }
          resolve({ status: head.status, headers: head.headers, text, json });
        }
      };
      socket.on('data', onData);
      socket.on('error', (err) => { clearTimeout(timer); reject(err); });
    });
  }

  constructor(socket, rest) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.frames = [];
    this.waiters = [];
    this.fragments = [];
    this.closed = false;
    this.refs = 0;
    socket.on('data', (c) => this.onData(c));
    socket.on('close', () => { this.closed = true; for (const w of this.waiters) w.fail(new Error('WebSocket closed')); this.waiters = []; });
    socket.on('error', () => {});
    if (rest.length) this.onData(rest);
  }

  onData(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.buf.length < 2) return;
      const fin = (this.buf[0] & 0x80) !== 0;
      const opcode = this.buf[0] & 0x0f;
      let len = this.buf[1] & 0x7f;
      let offset = 2;
      if (len === 126) { if (this.buf.length < 4) return; len = this.buf.readUInt16BE(2); offset = 4; }
      else if (len === 127) { if (this.buf.length < 10) return; len = Number(this.buf.readBigUInt64BE(2)); offset = 10; }
      const masked = (this.buf[1] & 0x80) !== 0;
      const maskKey = masked ? this.buf.subarray(offset, offset + 4) : null;
      if (masked) offset += 4;
      if (this.buf.length < offset + len) return;
      const payload = Buffer.from(this.buf.subarray(offset, offset + len));
      if (maskKey) for (let i = 0; i < payload.length; i += 1) payload[i] ^= maskKey[i & 3];
      this.buf = this.buf.subarray(offset + len);
      if (opcode === 0x9) this.sendFrame(0xa, payload);
      else if (opcode === 0x8) { this.closed = true; this.socket.end(); }
      else if (opcode === 0x1 || opcode === 0x0) {
        this.fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          this.deliver(JSON.parse(text));
        }
      }
    }
  }

  deliver(frame) {
    const i = this.waiters.findIndex((w) => w.match(frame));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w.done(frame);
    } else {
      this.frames.push(frame);
    }
  }

  sendFrame(opcode, payload) {
    const mask = crypto.randomBytes(4);
    let header;
    if (payload.length < 126) { header = Buffer.alloc(2); header[1] = 0x80 | payload.length; }
    else if (payload.length < 65536) { header = Buffer.alloc(4); header[1] = 0x80 | 126; header.writeUInt16BE(payload.length, 2); }
    else { header = Buffer.alloc(10); header[1] = 0x80 | 127; header.writeBigUInt64BE(BigInt(payload.length), 2); }
    header[0] = 0x80 | opcode;
    const body = Buffer.alloc(payload.length);
    for (let i = 0; i < payload.length; i += 1) body[i] = payload[i] ^ mask[i & 3];
    this.socket.write(Buffer.concat([header, mask, body]));
  }

  /// The next frame matching `match` (already received or to come).
  next(match, what = 'frame') {
    const i = this.frames.findIndex(match);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${what} within ${STEP_TIMEOUT_MS} ms`));
      }, STEP_TIMEOUT_MS);
      const waiter = {
        match,
        done: (f) => { clearTimeout(timer); resolve(f); },
        fail: (e) => { clearTimeout(timer); reject(e); },
      };
      this.waiters.push(waiter);
    });
  }

  /// Sends a command and waits for its answer (the frame carrying the same ref).
  command(cmd) {
    const ref = `r${++this.refs}`;
    this.sendFrame(0x1, Buffer.from(JSON.stringify({ ...cmd, ref }), 'utf8'));
    return this.next((f) => f.ref === ref, `answer to ${cmd.op}`);
  }

  close() {
    if (!this.closed) this.sendFrame(0x8, Buffer.from([0x03, 0xe8]));
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 200).unref();
  }
}

