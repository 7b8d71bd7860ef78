// The chat widget in Debian's Chromium against the real parley binary: the demo shop page
// embeds it by its script tag; the visitor writes, an operator (a WebSocket client here)
// answers and writes a note; reload, keyboard only, a phone-sized screen.
//
//   node widget.test.mjs <path-to-parley-binary>
//
// Screenshots go to build/test-artifacts/. Exits 0 when every check passes.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { seriousViolations, violationCounts } from './accessibility.mjs';
import { BACKGROUND, setHidden, titlesSeen } from './background.mjs';
import { ARTIFACTS, BIN, WEB_ROOT, runSuite } from './suite.mjs';
import { WsClient } from '../openapi/ws_client.mjs';
import { startServer } from '../support/parley_server.mjs';

const STEP_TIMEOUT_MS = 10_000;

const DEMO = { id: 'demo', secret: 'widget-test-secret-0123456789', origins: [], anonymous_visitors: true };

// The shipped web/ plus a page of a site that turns the title blink off, and one of a site
// whose backend mints the visitors' tokens.
async function writeConfig(dir) {
  const root = path.join(dir, 'web');
  await cp(WEB_ROOT, root, { recursive: true });
  await writeFile(path.join(root, 'demo', 'signed-in.html'), '<!doctype html><html lang="en"><title>Signed-in shop</title>' +
    '<script src="/web/widget/parley-widget.js" data-site="demo" data-token-url="/account/chat-token" async></script></html>');
  await writeFile(path.join(root, 'demo', 'quiet.html'), '<!doctype html><html lang="en"><title>Quiet shop</title>' +
    '<script src="/web/widget/parley-widget.js" data-site="demo" data-notify="off" async></script></html>');
  const file = path.join(dir, 'parley.json');
  await writeFile(file, JSON.stringify({
    sites: [DEMO], storage: { path: path.join(dir, 'data') }, web: { root },
    dev_tokens: true, log: { level: 'info' },
  }));
  return file;
}

async function devToken(base, claims) {
  const res = await fetch(`${base}/v1/dev/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ site: 'demo', ...claims }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `dev token: ${text}`);
  return JSON.parse(text).token;
}

const widget = (page) => ({
  launcher: page.locator('#parley-widget .launcher'),
  panel: page.locator('#parley-widget .panel'),
  input: page.locator('#parley-widget textarea'),
  mine: page.locator('#parley-widget li.mine'),
  theirs: page.locator('#parley-widget li.theirs'),
  typing: page.locator('#parley-widget .typing'),
});

async function openShop(context, base, errors) {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', (err) => errors.push(err.message));
  const res = await page.goto(`${base}/web/demo/`);
  assert.equal(res.status(), 200);
  return page;
}

runSuite('widget', async (run) => {
  const { dir, errors } = run;
  const pass = (what) => run.pass(what);
  const bin = BIN;
  let operator = null;
  run.cleanUps.push(() => operator?.close());
  run.server = startServer(bin, await writeConfig(dir));
  const port = await run.server.port;
  const base = `http://127.0.0.1:${port}`;
  const browser = await run.launch();

  // --- A visitor on the shop page --------------------------------------------------------
  const visitor = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await visitor.addInitScript(BACKGROUND);
  const page = await openShop(visitor, base, errors);
  const w = widget(page);
  await w.launcher.waitFor({ state: 'visible' });
  const launcherMs = await page.evaluate(() => Math.round(performance.now()));
  pass(`the launcher is visible ${launcherMs} ms after navigation started`);
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((r) => r.name.includes('/v1/ws')).length), 0, 'no WebSocket before the chat is opened');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).fontFamily).then((f) => f.includes('Georgia')), true);
  pass('no connection for a page view that does not open the chat');

  await w.launcher.click();
  await w.panel.waitFor({ state: 'visible' });
  const before = Date.now();
  await w.input.fill('Hi! Do the Trail X run small?');
  await w.input.press('Enter');
  await page.locator('#parley-widget li.mine[data-state="sent"]').first().waitFor();
  pass(`the first message is confirmed by the server ${Date.now() - before} ms after Enter`);
  const weight = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((r) => /\/web\/(widget|shared)\//.test(r.name)).reduce((n, r) => n + r.decodedBodySize, 0));
  assert.ok(weight > 10_000 && weight < 40 * 1024, `the widget's JS and CSS weigh ${weight} bytes`);
  pass(`the widget's JS and CSS, everything it loaded: ${weight} bytes`);

  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('parley:demo')));
  assert.ok(stored.conversation > 0 && stored.token, 'conversation id and visitor token kept in localStorage');
  assert.equal(stored.pending.length, 0, 'nothing left pending');

  // --- The operator answers over WebSocket ------------------------------------------------
  const handshake = await WsClient.connect({ port, token: await devToken(base, { role: 'operator', sub: 'op-olga', name: 'Olga' }) });
  assert.equal(handshake.status, 101, `operator WebSocket: ${handshake.text}`);
  operator = handshake.ws;
  await operator.next((f) => f.op === 'hello');
  assert.equal((await operator.command({ op: 'subscribe', conversation: stored.conversation, after: 0 })).op, 'subscribed');
  await operator.command({ op: 'typing', conversation: stored.conversation });
  await w.typing.waitFor({ state: 'visible' });
  pass('the operator typing shows in the widget');
  assert.equal((await operator.command({ op: 'part.create', conversation: stored.conversation, type: 'note', random_id: 'n1', body: 'internal: check stock' })).op, 'part.created');
  assert.equal((await operator.command({ op: 'part.create', conversation: stored.conversation, type: 'reply_admin', random_id: 'r1', body: 'They run about half a size small.' })).op, 'part.created');
  await w.theirs.filter({ hasText: 'half a size small' }).waitFor();
  assert.equal(await page.locator('#parley-widget').getByText('internal: check stock').count(), 0, 'a note never reaches the widget');
  pass('the operator reply appears live; the note does not');
  const read = await operator.next((f) => f.op === 'read', 'read from the widget');
  assert.ok(read.up_to >= 1);
  pass('the widget marks the reply read');

  // --- A reply while the visitor looks at another tab ---------------------------------------
  const shopTitle = await page.title();
  await setHidden(page, true);
  await operator.command({ op: 'part.create', conversation: stored.conversation, type: 'reply_admin', random_id: 'r2', body: 'Anything else?' });
  await page.waitForFunction(() => document.title === 'New message');
  await setHidden(page, false);
  await page.waitForFunction((t) => document.title === t, shopTitle);
  await page.waitForTimeout(1200);
  assert.equal(await page.title(), shopTitle, 'the blinking stops once the page is visible');
  pass('a reply while the page is hidden blinks its title, and the blinking stops when the visitor is back');
  await page.screenshot({ path: path.join(ARTIFACTS, 'widget-open.png') });
  assert.deepEqual(await seriousViolations(page), [], 'axe: serious or critical violations in the open widget');
  pass(`axe scan of the open widget: no serious or critical violation (all: ${JSON.stringify(await violationCounts(page))})`);

  // --- Reload: the same history ------------------------------------------------------------
  await page.reload();
  await w.launcher.click();
  await w.theirs.filter({ hasText: 'half a size small' }).waitFor();
  assert.equal(await w.mine.filter({ hasText: 'Trail X run small' }).count(), 1);
  assert.equal(await page.locator('#parley-widget').getByText('internal: check stock').count(), 0);
  pass('after a reload the same history, once, without the note');

  // --- The server restarts mid-conversation --------------------------------------------------
  const configFile = path.join(dir, 'parley.json');
  operator.close();
  run.server.child.kill('SIGTERM');
  await run.server.exited;
  await page.locator('#parley-widget .status', { hasText: 'Reconnecting' }).waitFor();
  await w.input.fill('Written while you were away');
  await w.input.press('Enter');
  await page.locator('#parley-widget li.mine[data-state="pending"]', { hasText: 'while you were away' }).waitFor();
  run.server = startServer(bin, configFile, `127.0.0.1:${port}`);
  await run.server.port;
  await page.locator('#parley-widget li.mine[data-state="sent"]', { hasText: 'while you were away' })
    .waitFor({ timeout: 40_000 });
  const after = await fetch(`${base}/v1/conversations/${stored.conversation}/parts?limit=500`,
    { headers: { Authorization: `Bearer ${await devToken(base, { role: 'operator', sub: 'op-olga' })}` } });
  const parts = await after.json();
  const bodies = parts.filter((x) => x.type === 'reply_user').map((x) => x.body);
  assert.deepEqual(bodies, ['Hi! Do the Trail X run small?', 'Written while you were away'],
    'each visitor message stored exactly once');
  assert.equal(await w.mine.filter({ hasText: 'while you were away' }).count(), 1, 'shown once');
  assert.equal(await w.theirs.filter({ hasText: 'half a size small' }).count(), 1, 'the reply shown once');
  pass('server restarted: the widget reconnects, the message written meanwhile is stored and shown once');

  // --- Scrolling up loads older parts -------------------------------------------------------
  const bulkToken = await devToken(base, { role: 'operator', sub: 'op-bulk', name: 'Bulk' });
  for (let i = 0; i < 120; i += 1) {
    const res = await fetch(`${base}/v1/conversations/${stored.conversation}/parts`, { method: 'POST',
      headers: { Authorization: `Bearer ${bulkToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'reply_admin', random_id: `bulk-${i}`, body: `older message ${i}` }) });
    assert.equal(res.status, 201);
  }
  // All of them live first, so the reload replays nothing and history alone fills the list.
  await w.theirs.filter({ hasText: 'older message 119' }).waitFor();
  await page.reload();
  await w.launcher.click();
  await w.theirs.filter({ hasText: 'older message 119' }).waitFor();
  assert.ok(await w.theirs.filter({ hasText: /older message \d+/ }).count() <= 50, 'the first page is the newest 50');
  assert.ok(await page.locator('#parley-widget .messages').evaluate((el) => el.scrollTop > 0), 'opened at the newest message');
  // Scroll to the top until the widget says it has the first page.
  await page.waitForFunction(() => {
    const list = document.querySelector('#parley-widget').shadowRoot.querySelector('.messages');
    list.scrollTop = 0;
    list.dispatchEvent(new Event('scroll'));
    return list.dataset.complete === 'true';
  }, null, { polling: 250, timeout: 20_000 });
  assert.equal(await w.theirs.filter({ hasText: /older message \d+/ }).count(), 120);
  assert.equal(await w.mine.filter({ hasText: 'Trail X run small' }).count(), 1, 'back to the first message, once');
  pass('scrolling up loads the older parts, down to the first');

  // --- Keyboard only ----------------------------------------------------------------------
  const keyboard = await browser.newContext();
  const kpage = await openShop(keyboard, base, errors);
  const k = widget(kpage);
  await k.launcher.waitFor({ state: 'visible' });
  for (let i = 0; i < 10 && !(await k.launcher.evaluate((el) => el.matches(':focus'))); i += 1) await kpage.keyboard.press('Tab');
  assert.ok(await k.launcher.evaluate((el) => el.matches(':focus')), 'Tab reaches the launcher');
  await kpage.keyboard.press('Enter');
  await k.panel.waitFor({ state: 'visible' });
  await kpage.keyboard.type('Typed without a mouse');
  await kpage.keyboard.press('Enter');
  await kpage.locator('#parley-widget li.mine[data-state="sent"]').first().waitFor();
  await kpage.keyboard.press('Escape');
  await k.panel.waitFor({ state: 'hidden' });
  pass('keyboard only: open, send, close');

  // --- A pre-chat form, and where the visitor came from ---------------------------------
  const asked = await browser.newContext();
  const qpage = await asked.newPage();
  qpage.setDefaultTimeout(STEP_TIMEOUT_MS);
  await qpage.goto(`${base}/web/demo/`);
  await qpage.click('text=Contact us');
  await qpage.waitForURL('**/web/demo/contact.html');
  await qpage.click('#parley-widget .launcher');
  await qpage.fill('#parley-widget .prechat input[name=name]', 'Anna Berg');
  await qpage.fill('#parley-widget .prechat input[name=email]', 'anna@example.com');
  await qpage.click('#parley-widget .prechat button');
  await qpage.fill('#parley-widget textarea', 'Question about sizes');
  await qpage.press('#parley-widget textarea', 'Enter');
  await qpage.locator('#parley-widget li.mine[data-state="sent"]').waitFor().catch(async (err) => {
    throw new Error(`${err.message}\nwidget state: ${await qpage.evaluate(() => localStorage.getItem('parley:demo'))}` +
      `\nstatus: ${await qpage.locator('#parley-widget .status').innerText()}`);
  });
  const askedState = await qpage.evaluate(() => JSON.parse(localStorage.getItem('parley:demo')));
  const conv = await (await fetch(`${base}/v1/conversations/${askedState.conversation}`,
    { headers: { Authorization: `Bearer ${await devToken(base, { role: 'operator', sub: 'op-olga' })}` } })).json();
  assert.deepEqual(conv.prechat_fields, { name: 'Anna Berg', email: 'anna@example.com' });
  assert.equal(conv.entry_page, `${base}/web/demo/contact.html`);
  assert.equal(conv.int_referer, `${base}/web/demo/`);
  assert.equal(conv.ext_referer, null);
  pass('the pre-chat answers, the entry page and the internal referrer reach the conversation');

  // --- A site that opts out of the title blink ---------------------------------------------
  const quiet = await browser.newContext();
  await quiet.addInitScript(BACKGROUND);
  const quietPage = await quiet.newPage();
  quietPage.setDefaultTimeout(STEP_TIMEOUT_MS);
  quietPage.on('pageerror', (err) => errors.push(err.message));
  await quietPage.goto(`${base}/web/demo/quiet.html`);
  await quietPage.click('#parley-widget .launcher');
  await quietPage.fill('#parley-widget textarea', 'No blinking, please');
  await quietPage.press('#parley-widget textarea', 'Enter');
  await quietPage.locator('#parley-widget li.mine[data-state="sent"]').waitFor();
  const quietConversation = await quietPage.evaluate(() => JSON.parse(localStorage.getItem('parley:demo')).conversation);
  await setHidden(quietPage, true);
  const quietToken = await devToken(base, { role: 'operator', sub: 'op-olga' });
  const answer = await fetch(`${base}/v1/conversations/${quietConversation}/parts`, { method: 'POST',
    headers: { Authorization: `Bearer ${quietToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'reply_admin', random_id: 'quiet-1', body: 'Understood' }) });
  assert.equal(answer.status, 201);
  await quietPage.locator('#parley-widget li.theirs', { hasText: 'Understood' }).waitFor();
  await quietPage.waitForTimeout(2500);
  assert.deepEqual(await titlesSeen(quietPage), ['Quiet shop'], 'data-notify="off": the title stays');
  pass('with data-notify="off" a hidden page keeps its title');

  // --- A site's own short-lived tokens, refreshed on the open connection --------------------
  const signedIn = await browser.newContext();
  let minted = 0;
  await signedIn.route(`${base}/account/chat-token`, (route) => {
    minted += 1;
    const token = execFileSync(bin, ['token', '--config', path.join(dir, 'parley.json'), '--site', 'demo', '--role', 'visitor',
      '--sub', 'shopper-42', '--name', 'Shopper', '--ttl', '3'], { encoding: 'utf8' }).trim();
    return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ token }) });
  });
  const spage = await signedIn.newPage();
  spage.setDefaultTimeout(STEP_TIMEOUT_MS);
  spage.on('pageerror', (err) => errors.push(err.message));
  const sockets = [];
  spage.on('websocket', (ws) => sockets.push(ws));
  await spage.goto(`${base}/web/demo/signed-in.html`);
  await spage.click('#parley-widget .launcher');
  await spage.fill('#parley-widget textarea', 'Signed in, short tokens');
  await spage.press('#parley-widget textarea', 'Enter');
  await spage.locator('#parley-widget li.mine[data-state="sent"]').waitFor();
  const signedConversation = await spage.evaluate(() => JSON.parse(localStorage.getItem('parley:demo')).conversation);
  await spage.waitForTimeout(7000); // two lifetimes of a 3 s token
  const late = await fetch(`${base}/v1/conversations/${signedConversation}/parts`, { method: 'POST',
    headers: { Authorization: `Bearer ${quietToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'reply_admin', random_id: 'late-1', body: 'Still connected?' }) });
  assert.equal(late.status, 201);
  await spage.locator('#parley-widget li.theirs', { hasText: 'Still connected?' }).waitFor();
  assert.equal(sockets.length, 1, 'one connection for the whole visit: refreshed, never closed with 4001');
  assert.ok(minted >= 3, `the widget fetched fresh tokens from the site: ${minted}`);
  pass(`3-second tokens from the site's backend: refreshed on the open connection (${minted} fetched), one connection for 7 s`);

  // --- A phone-sized screen ---------------------------------------------------------------
  const phone = await browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
  const ppage = await openShop(phone, base, errors);
  const p = widget(ppage);
  await p.launcher.click();
  await p.panel.waitFor({ state: 'visible' });
  const box = await p.panel.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 375 + 0.5 && box.y >= 0 && box.y + box.height <= 667 + 0.5,
    `the open widget fits 375×667: ${JSON.stringify(box)}`);
  assert.ok(await ppage.evaluate(() => document.documentElement.scrollWidth <= 375), 'nothing overflows the page');
  await ppage.screenshot({ path: path.join(ARTIFACTS, 'widget-phone.png') });
  pass('on 375×667 the open widget fits the screen');
});
