// The widget's face: a launcher and a chat window in a Shadow DOM, so the host page's
// CSS cannot reach in and the widget's cannot leak out. Talks through Session.

import { Session } from './session.js';

const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
};

const clock = (unix) => new Date(unix * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function mount(options) {
  const host = h('div', { id: 'parley-widget' });
  document.body.append(host);
  const root = host.attachShadow({ mode: 'open' });
  root.append(h('link', { rel: 'stylesheet', href: new URL('parley-widget.css', options.assets).href }));

  const session = new Session(options);
  const title = options.title || 'Chat with us';
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: '' });
  const launcher = h('button', { class: 'launcher', type: 'button', 'aria-label': 'Open chat', 'aria-expanded': 'false' },
    h('span', { class: 'icon', 'aria-hidden': 'true' }), badge);
  const list = h('ol', { class: 'messages', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const empty = h('p', { class: 'empty' }, 'Ask us anything. We usually answer within a few minutes.');
  const typing = h('p', { class: 'typing', hidden: '', 'aria-live': 'polite' }, 'Support is typing…');
  const status = h('p', { class: 'status', role: 'status' });
  const input = h('textarea', { id: 'parley-input', rows: '1', placeholder: 'Write a message…', 'aria-label': 'Message' });
  const counter = h('span', { class: 'counter', 'aria-live': 'polite', hidden: '' });
  const sendButton = h('button', { class: 'send', type: 'submit', 'aria-label': 'Send message' }, 'Send');
  const composer = h('form', { class: 'composer' }, input, counter, sendButton);
  const closeButton = h('button', { class: 'close', type: 'button', 'aria-label': 'Close chat' }, '×');
  // The optional pre-chat form: asked once, before the first message.
  const fields = (options.prechat || []).filter((f) => ['name', 'email', 'phone'].includes(f));
  const labels = { name: 'Your name', email: 'E-mail', phone: 'Phone' };
  const prechat = h('form', { class: 'prechat', hidden: '' },
    h('p', {}, 'Before we start, tell us who you are.'),
    ...fields.map((f) => h('label', {}, labels[f],
      h('input', { name: f, type: f === 'email' ? 'email' : f === 'phone' ? 'tel' : 'text', required: '', autocomplete: f === 'phone' ? 'tel' : f }))),
    h('button', { type: 'submit', class: 'send' }, 'Start the chat'));
  const needsPrechat = () => fields.length > 0 && !session.hasConversation && !session.state.prechat;
  const showPrechat = () => { prechat.hidden = !needsPrechat(); composer.hidden = !prechat.hidden; };
  prechat.addEventListener('submit', (e) => {
    e.preventDefault();
    session.state.prechat = Object.fromEntries(fields.map((f) => [f, prechat.elements[f].value.trim()]));
    session.save();
    showPrechat();
    input.focus();
  });
  const panel = h('section', { class: 'panel', role: 'dialog', 'aria-label': title, hidden: '' },
    h('header', {}, h('h2', {}, title), closeButton), status, empty, list, typing, prechat, composer);
  root.append(launcher, panel);

  const shown = new Map(); // part id or random_id → element
  let unread = 0, oldest = null, loadingOlder = false, blink = null, historyLoaded = false;
  const savedTitle = document.title;

  const setUnread = (n) => {
    unread = n;
    badge.textContent = String(n);
    badge.hidden = n === 0;
    launcher.setAttribute('aria-label', n ? `Open chat, ${n} unread` : 'Open chat');
  };

  const render = (part, state) => {
    const mine = part.from ? part.from.role === 'visitor' : true;
    const key = part.id ? `id:${part.id}` : `rid:${part.random_id}`;
    let el = shown.get(key) || (part.random_id && shown.get(`rid:${part.random_id}`));
    const body = part.removed ? 'Message removed' : part.body;
    const meta = h('span', { class: 'meta' }, part.created ? clock(part.created) : '',
      state === 'pending' ? ' · sending…' : state === 'failed' ? ' · not sent' : mine && part.read ? ' · read' : '');
    const content = [h('span', { class: 'body' }, body), meta];
    if (state === 'failed')
      content.push(h('button', { class: 'retry', type: 'button', onclick: () => { session.retry(part.random_id); render(part, 'pending'); } }, 'Retry'));
    if (!el) {
      el = h('li', {});
      // In id order; a message not confirmed yet (no id) goes last.
      const next = part.id ? [...list.children].find((li) => !li.dataset.id || Number(li.dataset.id) > part.id) : null;
      list.insertBefore(el, next || null);
    }
    el.className = `${mine ? 'mine' : 'theirs'} ${state}`;
    el.dataset.state = state;
    if (part.id) el.dataset.id = String(part.id);
    if (part.random_id) el.dataset.randomId = part.random_id;
    el.replaceChildren(...content);
    if (part.id) { shown.set(`id:${part.id}`, el); if (oldest === null || part.id < oldest) oldest = part.id; }
    if (part.random_id) shown.set(`rid:${part.random_id}`, el);
    empty.hidden = true;
    return el;
  };

  const visibleType = (p) => ['reply_user', 'reply_admin', 'article', 'auto_reply', 'chat_bot_admin', 'chat_bot_user'].includes(p.type);
  const scrollDown = () => { list.scrollTop = list.scrollHeight; };
  const isOpen = () => !panel.hidden;

  const markRead = () => {
    if (!isOpen() || document.hidden) return;
    const theirs = [...list.querySelectorAll('li.theirs[data-id]')].map((li) => Number(li.dataset.id));
    if (theirs.length) session.read(Math.max(...theirs));
    setUnread(0);
  };

  const loadHistory = async (before) => {
    if (!session.hasConversation || loadingOlder) return;
    loadingOlder = true;
    if (!before && !list.children.length) { empty.hidden = false; empty.textContent = 'Loading your conversation…'; }
    try {
      const parts = await session.history(before);
      if (!before) historyLoaded = true;
      const keep = list.scrollHeight - list.scrollTop;
      for (const p of parts) if (visibleType(p)) render(p, 'sent');
      if (before) list.scrollTop = list.scrollHeight - keep; else scrollDown();
      if (parts.length < 50) list.dataset.complete = 'true';
    } catch { /* the live replay still brings what is missing */ }
    if (!list.children.length) empty.textContent = 'Ask us anything. We usually answer within a few minutes.';
    loadingOlder = false;
  };

  const open = () => {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    session.started = true;
    session.connect();
    if (!historyLoaded) loadHistory();
    scrollDown(); // what was loaded while the window was closed had nowhere to scroll
    showPrechat();
    (prechat.hidden ? input : prechat.querySelector('input')).focus();
    markRead();
  };
  const close = () => {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  };

  const sendNow = () => {
    const body = input.value.trim();
    if (!body || body.length > session.limits.max_body_chars) return;
    const p = session.post(body);
    render({ ...p, from: { role: 'visitor' } }, 'pending');
    input.value = '';
    updateCounter();
    scrollDown();
  };
  const updateCounter = () => {
    const max = session.limits.max_body_chars;
    const n = input.value.length;
    counter.hidden = n < max * 0.9;
    counter.textContent = `${n} / ${max}`;
    counter.classList.toggle('over', n > max);
    sendButton.disabled = n > max;
  };

  launcher.addEventListener('click', () => (isOpen() ? close() : open()));
  closeButton.addEventListener('click', close);
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
  composer.addEventListener('submit', (e) => { e.preventDefault(); sendNow(); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendNow(); }
  });
  input.addEventListener('input', () => { updateCounter(); session.typing(); });
  list.addEventListener('scroll', () => {
    if (list.scrollTop < 40 && oldest && !list.dataset.complete) loadHistory(oldest);
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) { markRead(); clearInterval(blink); blink = null; document.title = savedTitle; }
  });

  const notify = () => {
    if (!isOpen()) setUnread(unread + 1);
    if (options.notify !== false && document.hidden && !blink)
      blink = setInterval(() => { document.title = document.title === savedTitle ? 'New message' : savedTitle; }, 1000);
  };

  session.addEventListener('confirmed', (e) => render(e.detail, 'sent'));
  session.addEventListener('failed', (e) => {
    const el = shown.get(`rid:${e.detail.random_id}`);
    if (el && e.detail.code !== 'unavailable') {
      const p = session.state.pending.find((x) => x.random_id === e.detail.random_id);
      if (p) render({ ...p, from: { role: 'visitor' } }, 'failed');
    }
  });
  session.addEventListener('part', (e) => {
    const p = e.detail;
    if (!visibleType(p)) return;
    const isNew = !shown.has(`id:${p.id}`);
    render(p, 'sent');
    typing.hidden = true;
    if (isNew && p.from.role !== 'visitor') { notify(); markRead(); }
    scrollDown();
  });
  session.addEventListener('typing', () => {
    typing.hidden = false;
    clearTimeout(typing.timer);
    typing.timer = setTimeout(() => { typing.hidden = true; }, 5000);
  });
  session.addEventListener('read', (e) => {
    for (const li of list.querySelectorAll('li.mine[data-id]'))
      if (Number(li.dataset.id) <= e.detail.up_to && !li.querySelector('.meta').textContent.includes('read'))
        li.querySelector('.meta').append(' · read');
  });
  session.addEventListener('status', (e) => {
    status.textContent = e.detail.online ? '' : 'Reconnecting…';
    host.dataset.online = String(Boolean(e.detail.online));
  });
  // The newest page once per page view, whatever the replay brought already.
  session.addEventListener('conversation', () => { if (!historyLoaded) loadHistory(); });

  // Unconfirmed messages of an earlier page view: shown, and resent on connect.
  for (const p of session.state.pending) render({ ...p, from: { role: 'visitor' } }, p.failed ? 'failed' : 'pending');
  if (session.hasConversation || session.state.pending.length) { session.started = true; session.connect(); }

  return { open, close, identify: (token) => session.identify(token) };
}
