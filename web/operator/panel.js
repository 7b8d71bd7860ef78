// The operator panel: the inbox (HTTP list kept live by the inbox subscription), one
// conversation at a time (history, reply or note, assign, close, tags, export) and the
// visitor's context. Signs in through POST /v1/dev/token on the demo site.

import { Connection } from './connection.js';

const $ = (id) => document.getElementById(id);
const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) el.setAttribute(k, v);
  }
  el.append(...children.filter((c) => c !== null && c !== undefined));
  return el;
};
const time = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' }) : '');
const clock = (unix) => new Date(unix * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
// Anonymous visitors have only a random id: show a short, stable handle of it.
const actorLabel = (a) => a.name || (a.id.startsWith('anon-') ? `Visitor ${a.id.slice(5, 11)}` : a.id);
const SITE = new URLSearchParams(location.search).get('site') || 'demo';
const TABS = {
  queued: { filter: (c) => c.status === 'queued', query: 'status[]=queued' },
  mine: { filter: (c, me) => c.status !== 'finished' && c.assignee?.id === me, query: (me) => `status[]=assigned&agent_id[]=${encodeURIComponent(me)}` },
  open: { filter: (c) => c.status !== 'finished', query: 'status[]=queued&status[]=assigned' },
  finished: { filter: (c) => c.status === 'finished', query: 'status[]=finished' },
};

let conn, me, tab = 'queued', current = null, department = '';
const conversations = new Map(); // id → conversation
const unread = new Map();        // id → count
const parts = new Map();         // id of the current conversation's parts → element
let oldest = null;

async function signIn(id, name) {
  const res = await fetch('/v1/dev/token', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ site: SITE, role: 'operator', sub: id, name }),
  });
  if (!res.ok) throw new Error(res.status === 404 ? 'Demo sign-in is off on this server.' : `Sign-in failed (${res.status}).`);
  return (await res.json()).token;
}

function renderList() {
  const list = $('list');
  const rows = [...conversations.values()].filter((c) => TABS[tab].filter(c, me.id) && (!department || c.department === department))
    .sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at));
  list.replaceChildren(...rows.map((c) => {
    const n = unread.get(c.id) || 0;
    return h('li', {},
      h('button', { type: 'button', class: c.id === current?.id ? 'row active' : 'row', 'data-id': c.id,
                    'aria-current': c.id === current?.id ? 'true' : null, onclick: () => openConversation(c.id) },
        h('span', { class: 'who' }, actorLabel(c.visitor),
          n ? h('span', { class: 'count', 'aria-label': `${n} unread` }, String(n)) : null),
        h('span', { class: 'when' }, time(c.updated_at)),
        h('span', { class: 'sub' }, c.assignee ? `→ ${actorLabel(c.assignee)}` : (c.department || 'no department')),
        h('span', { class: `status ${c.status}` }, c.status)));
  }));
  $('list-empty').hidden = rows.length > 0;
  const known = new Set([...conversations.values()].map((c) => c.department).filter(Boolean));
  const select = $('department');
  for (const d of known)
    if (![...select.options].some((o) => o.value === d)) select.append(h('option', { value: d }, d));
}

// Each tab reads the list a page at a time; live changes arrive through the inbox
// subscription, so a page already read never needs reading again.
const PAGE = 100;
let listPage = 0, listTotal = 0;

async function loadTab(name, more = false) {
  if (!more) { tab = name; listPage = 0; }
  for (const b of document.querySelectorAll('[role=tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  const q = typeof TABS[name].query === 'function' ? TABS[name].query(me.id) : TABS[name].query;
  try {
    const res = await conn.api(`/v1/conversations?${q}&sort_column=updated_at&per=${PAGE}&page=${listPage + 1}`);
    for (const c of await res.json()) conversations.set(c.id, c);
    listPage += 1;
    listTotal = Number(res.headers.get('X-Total-Count')) || 0;
  } catch { /* shown as offline */ }
  $('more').hidden = listPage * PAGE >= listTotal;
  renderList();
}

function renderPart(p) {
  const visible = ['reply_user', 'reply_admin', 'note', 'article', 'auto_reply', 'chat_bot_admin', 'chat_bot_user',
    'assigned', 'closed', 'tag_added', 'tag_deleted', 'vote'].includes(p.type);
  if (!visible) return;
  const system = ['assigned', 'closed', 'tag_added', 'tag_deleted', 'vote'].includes(p.type);
  const text = p.removed ? 'Message removed'
    : p.type === 'assigned' ? `Assigned to ${p.assignee?.name || p.assignee?.id || 'an operator'}`
    : p.type === 'closed' ? 'Conversation closed'
    : p.type === 'tag_added' ? `Tag added: ${p.tag}` : p.type === 'tag_deleted' ? `Tag removed: ${p.tag}`
    : p.type === 'vote' ? `Rated ${p.meta_data?.rating} / 5` : p.body;
  const kind = system ? 'system' : p.type === 'note' ? 'note' : p.from.role === 'visitor' ? 'visitor' : 'staff';
  const el = parts.get(p.id) || h('li', { 'data-id': p.id });
  el.className = kind;
  const own = !system && !p.removed && p.from.role === 'operator' && p.from.id === me.id;
  el.replaceChildren(...[
    h('span', { class: 'author' }, system ? '' : kind === 'note' ? `Note · ${actorLabel(p.from)}` : actorLabel(p.from)),
    h('span', { class: 'body' }, text),
    h('span', { class: 'meta' }, clock(p.created), p.edited ? ' · edited' : '',
      p.from.role === 'operator' && p.read && kind === 'staff' ? ' · read' : ''),
    own ? h('span', { class: 'own-actions' },
      h('button', { type: 'button', 'aria-label': 'Edit message', onclick: () => editPart(p) }, 'Edit'),
      h('button', { type: 'button', 'aria-label': 'Remove message', onclick: () => removePart(p) }, 'Remove')) : null,
  ].filter(Boolean));
  if (!parts.has(p.id)) {
    const list = $('parts');
    const next = [...list.children].find((li) => Number(li.dataset.id) > p.id);
    list.insertBefore(el, next || null);
    parts.set(p.id, el);
    if (oldest === null || p.id < oldest) oldest = p.id;
  }
}

function renderHeader(c) {
  $('c-title').textContent = actorLabel(c.visitor);
  $('c-meta').textContent = [`#${c.id}`, c.status, c.assignee ? `assigned to ${c.assignee.name || c.assignee.id}` : 'unassigned',
    c.department ? `department ${c.department}` : null].filter(Boolean).join(' · ');
  $('assign').disabled = c.assignee?.id === me.id && c.status === 'assigned';
  $('close').disabled = c.status === 'finished';
  $('tags').replaceChildren(...(c.tags || []).map((t) => h('span', { class: 'tag' }, t,
    h('button', { type: 'button', 'aria-label': `Remove tag ${t}`, onclick: () => tagCommand({ remove: [t] }) }, '×'))));
}

function renderContext(c) {
  const facts = [
    ['Visitor id', c.visitor.id], ['Entry page', c.entry_page], ['Referrer', c.ext_referer], ['From the site', c.int_referer],
    ['Search', c.search_engine ? `${c.search_engine}: ${c.search_query || ''}` : null],
    ['Location', [c.city, c.country].filter(Boolean).join(', ') || null], ['Visits', c.visit_count], ['Pages', c.page_count],
    ...Object.entries(c.prechat_fields || {}).map(([k, v]) => [`Pre-chat: ${k}`, String(v)]),
    ...Object.entries(c.visitor_variables || {}).map(([k, v]) => [k, String(v)]),
    ['Started', time(c.created_at)],
  ].filter(([, v]) => v !== null && v !== undefined && v !== '');
  $('facts').replaceChildren(...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
  $('context').hidden = false;
}

async function loadPast(c) {
  try {
    const res = await conn.api(`/v1/conversations?visitor_id[]=${encodeURIComponent(c.visitor.id)}&per=20`);
    const past = (await res.json()).filter((x) => x.id !== c.id);
    $('past').replaceChildren(...(past.length ? past.map((x) => h('li', {},
      h('button', { type: 'button', onclick: () => openConversation(x.id) }, `#${x.id} · ${x.status} · ${time(x.created_at)}`)))
      : [h('li', { class: 'empty' }, 'None')]));
  } catch { /* optional */ }
}

async function loadParts(before) {
  const q = new URLSearchParams({ limit: '50' });
  if (before) q.set('before', String(before));
  const res = await conn.api(`/v1/conversations/${current.id}/parts?${q}`);
  const page = await res.json();
  for (const p of page) renderPart(p);
  $('older').hidden = page.length < 50;
  return page;
}

async function openConversation(id) {
  const c = conversations.get(id) || await (await conn.api(`/v1/conversations/${id}`)).json();
  conversations.set(id, c);
  current = c;
  parts.clear();
  oldest = null;
  $('parts').replaceChildren(h('li', { class: 'system loading' }, 'Loading the conversation…'));
  $('view-empty').hidden = true;
  $('conversation').hidden = false;
  renderHeader(c);
  renderContext(c);
  unread.delete(id);
  renderList();
  await loadParts();
  $('parts').querySelector('.loading')?.remove();
  const list = $('parts');
  list.scrollTop = list.scrollHeight;
  markRead();
  loadPast(c);
  conn.command({ op: 'subscribe', conversation: id }).catch(() => {});
  $('reply').focus();
}

function markRead() {
  if (!current || document.hidden) return;
  const ids = [...parts.keys()];
  if (ids.length) conn.command({ op: 'read', conversation: current.id, up_to: Math.max(...ids) }).catch(() => {});
}

function onConversation(c) {
  conversations.set(c.id, { ...conversations.get(c.id), ...c });
  if (current?.id === c.id) { current = conversations.get(c.id); renderHeader(current); }
  renderList();
}

function onPart(p) {
  if (current?.id === p.conversation) {
    const list = $('parts');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    renderPart(p);
    if (atBottom) list.scrollTop = list.scrollHeight;
    if (p.from.role === 'visitor') { $('typing').hidden = true; markRead(); }
  } else if (p.from.role === 'visitor' && p.type === 'reply_user') {
    unread.set(p.conversation, (unread.get(p.conversation) || 0) + 1);
    renderList();
  }
  if (p.from.role === 'visitor' && p.type === 'reply_user') desktopNotice(`New message from ${actorLabel(p.from)}`, p.body, p.conversation);
}

async function editPart(p) {
  const body = prompt('Edit the message', p.body);
  if (body === null || body.trim() === '' || body === p.body) return;
  const answer = await conn.command({ op: 'part.edit', conversation: p.conversation, id: p.id, body: body.trim() }).catch((e) => e);
  if (answer?.part) renderPart(answer.part);
}

async function removePart(p) {
  if (!confirm('Remove this message for everyone?')) return;
  const answer = await conn.command({ op: 'part.remove', conversation: p.conversation, id: p.id }).catch((e) => e);
  if (answer?.part) renderPart(answer.part);
}

const randomId = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());

async function send() {
  const body = $('reply').value.trim();
  if (!body || !current) return;
  const type = document.querySelector('input[name=kind]:checked').value;
  $('reply').value = '';
  try {
    const created = await conn.command({ op: 'part.create', conversation: current.id, type, random_id: randomId(), body });
    renderPart(created.part);
    $('parts').scrollTop = $('parts').scrollHeight;
  } catch (err) {
    $('reply').value = body;
    alert(`Not sent: ${err.message}`);
  }
}

async function tagCommand(change) {
  if (!current) return;
  const answer = await conn.command({ op: 'conversation.tag', conversation: current.id, ...change }).catch(() => null);
  if (answer?.conversation) onConversation(answer.conversation);
}

async function exportTranscript(redact) {
  const res = await conn.api(`/v1/conversations/${current.id}/export?format=text${redact ? '&redact=pii' : ''}`);
  const url = URL.createObjectURL(await res.blob());
  h('a', { href: url, download: `conversation-${current.id}${redact ? '-redacted' : ''}.txt` }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  toggle('export', false);
}

function toggle(name, show) {
  const form = $(`${name}-form`);
  form.hidden = !(show ?? form.hidden);
  $(name).setAttribute('aria-expanded', String(!form.hidden));
  return !form.hidden;
}

// Only while the panel is in the background, and only with the user's permission.
function desktopNotice(title, body, conversation) {
  if (!document.hidden || window.Notification?.permission !== 'granted') return;
  const n = new Notification(title, { body: body.slice(0, 120), tag: `parley-${conversation}` });
  n.onclick = () => { window.focus(); openConversation(conversation); n.close(); };
}

function start(token, identity) {
  me = identity;
  $('signin').hidden = true;
  $('app').hidden = false;
  conn = new Connection(token, () => signIn(me.id, me.name));
  conn.addEventListener('token', (e) => sessionStorage.setItem('parley-operator', JSON.stringify({ token: e.detail, ...me })));
  conn.addEventListener('hello', async () => {
    $('online').textContent = `online as ${me.name}`;
    $('online').className = 'online up';
    await conn.command({ op: 'subscribe', inbox: true, parts: true }).catch(() => {});
    if (current) conn.command({ op: 'subscribe', conversation: current.id }).catch(() => {});
    loadTab(tab);
  });
  conn.addEventListener('offline', () => { $('online').textContent = 'reconnecting…'; $('online').className = 'online down'; });
  conn.addEventListener('conversation', (e) => onConversation(e.detail.conversation));
  conn.addEventListener('conversation.started', (e) => onConversation(e.detail.conversation));
  conn.addEventListener('event', (e) => {
    const ev = e.detail.event;
    if (ev.event_type === 'visitor-chat-open') desktopNotice('New conversation', ev.event_text || '', ev.conversation);
  });
  conn.addEventListener('part', (e) => onPart(e.detail.part));
  conn.addEventListener('part.updated', (e) => { if (current?.id === e.detail.part.conversation) renderPart(e.detail.part); });
  conn.addEventListener('read', (e) => {
    const r = e.detail;
    if (r.by !== 'visitor' || current?.id !== r.conversation) return;
    for (const [id, li] of parts)
      if (id <= r.up_to && li.classList.contains('staff') && !li.dataset.read) {
        li.dataset.read = 'true';
        li.querySelector('.meta').append(' · read');
      }
  });
  conn.addEventListener('typing', (e) => {
    if (current?.id !== e.detail.conversation) return;
    $('typing').hidden = false;
    clearTimeout($('typing').timer);
    $('typing').timer = setTimeout(() => { $('typing').hidden = true; }, 5000);
  });
  conn.open();
  if (window.Notification && Notification.permission === 'default') Notification.requestPermission().catch(() => {});
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const identity = { id: $('op-id').value.trim(), name: $('op-name').value.trim() };
  try {
    const token = await signIn(identity.id, identity.name);
    sessionStorage.setItem('parley-operator', JSON.stringify({ token, ...identity }));
    start(token, identity);
  } catch (err) { $('signin-error').textContent = err.message; }
});
for (const b of document.querySelectorAll('[role=tab]')) b.addEventListener('click', () => loadTab(b.dataset.tab));
$('composer').addEventListener('submit', (e) => { e.preventDefault(); send(); });
$('reply').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); } });
let lastTyping = 0;
$('reply').addEventListener('input', () => {
  if (current && Date.now() - lastTyping > 3000) { lastTyping = Date.now(); conn.command({ op: 'typing', conversation: current.id }).catch(() => {}); }
});
for (const r of document.querySelectorAll('input[name=kind]'))
  r.addEventListener('change', () => $('composer').classList.toggle('noting', r.value === 'note' && r.checked));
$('assign').addEventListener('click', async () => {
  const a = await conn.command({ op: 'conversation.assign', conversation: current.id }).catch(() => null);
  if (a?.conversation) onConversation(a.conversation);
});
$('close').addEventListener('click', async () => {
  const a = await conn.command({ op: 'conversation.close', conversation: current.id }).catch(() => null);
  if (a?.conversation) onConversation(a.conversation);
});
$('transfer').addEventListener('click', () => { if (toggle('transfer')) $('transfer-operator').focus(); });
$('transfer-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const operator = $('transfer-operator').value.trim(), dept = $('transfer-department').value.trim();
  if (!operator && !dept) { $('transfer-error').textContent = 'Name an operator, a department, or both.'; return; }
  const answer = await conn.command({ op: 'conversation.transfer', conversation: current.id,
    ...(operator ? { operator } : {}), ...(dept ? { department: dept } : {}) }).catch((err) => err);
  if (answer?.conversation) {
    onConversation(answer.conversation);
    $('transfer-form').hidden = true;
    $('transfer-error').textContent = '';
  } else $('transfer-error').textContent = answer?.message || 'Transfer failed';
});
$('department').addEventListener('change', (e) => { department = e.target.value; renderList(); });
$('tag-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const t = $('tag-input').value.trim();
  if (t) tagCommand({ add: [t] });
  $('tag-input').value = '';
});
$('export').addEventListener('click', () => { if (toggle('export')) $('export-full').focus(); });
$('export-full').addEventListener('click', () => exportTranscript(false));
$('export-redacted').addEventListener('click', () => exportTranscript(true));
$('more').addEventListener('click', () => loadTab(tab, true));
$('older').addEventListener('click', () => loadParts(oldest));
document.addEventListener('visibilitychange', markRead);

const saved = JSON.parse(sessionStorage.getItem('parley-operator') || 'null');
if (saved) start(saved.token, { id: saved.id, name: saved.name });
