// Shows that the server is up and, given ?token=, that a browser can open /v1/ws and
// receive `hello`. Browsers cannot set headers on a WebSocket, hence the query token.

const health = document.getElementById('health');
const status = document.getElementById('status');

async function checkHealth() {
  try {
    const res = await fetch('/healthz');
    health.textContent = res.ok ? 'Server is up.' : `Server answered ${res.status}.`;
  } catch {
    health.textContent = 'Server is unreachable.';
  }
}

function connect(token) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/v1/ws?token=${encodeURIComponent(token)}`);
  status.textContent = 'Connecting…';
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(e.data);
    if (msg.op === 'hello') {
      const who = msg.actor;
      status.textContent = `Connected as ${who.role} ${who.id} on site ${who.site} (server ${msg.server.version}).`;
      status.className = 'ok';
      status.dataset.epoch = msg.server.epoch;
    }
  });
  ws.addEventListener('close', (e) => {
    if (status.className !== 'ok') {
      status.textContent = `Connection refused (close code ${e.code}). Is the token valid?`;
      status.className = 'bad';
    }
  });
}

checkHealth();
const token = new URLSearchParams(location.search).get('token');
if (token) connect(token);
