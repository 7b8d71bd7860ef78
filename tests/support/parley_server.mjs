// The real parley binary for the Node.js test suites (browser/, openapi/).
import { spawn } from 'node:child_process';

/** How long a server may take to log `server.listening`. */
export const LISTEN_TIMEOUT_MS = 10_000;

/**
 * Starts `parley serve` on an ephemeral port (or on `listen`, `ADDR:PORT`, to come back
 * where a restarted server was). Returns `{child, stderr, exited, port}`:
 * `exited` resolves with `{code, signal}`, `port` once the server logs
 * `server.listening` (and rejects, carrying the exit `code`, if it exits first).
 */
export function startServer(bin, configFile, listen = '127.0.0.1:0') {
  const child = spawn(bin, ['serve', '--config', configFile, '--listen', listen], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const server = { child, stderr: '' };
  server.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  server.port = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not log server.listening within ${LISTEN_TIMEOUT_MS} ms`)),
      LISTEN_TIMEOUT_MS);
    child.on('error', (err) => { clearTimeout(timer); reject(new Error(`cannot start ${bin}: ${err.message}`)); });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      server.stderr += chunk;
      const m = /server\.listening\b.*\bport=(\d+)/.exec(server.stderr);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    server.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      const last = server.stderr.trim().split('\n').pop();
      reject(Object.assign(new Error(`server exited before listening (code ${code}, signal ${signal}): ${last}`), { code }));
    });
  });
  return server;
}
