// The operator panel and the widget in two browser contexts, against the real binary:
// a visitor on the demo shop and an operator in the panel hold a conversation (start,
// replies both ways, typing, assign, tag, note, close, reopen), and the panel scrolls
// back through 200 parts. Screenshots go to build/test-artifacts/.
//
//   node panel.test.mjs <path-to-parley-binary>

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { seriousViolations, violationCounts } from './accessibility.mjs';
import { BACKGROUND, clickNotification, notifications, setHidden } from './background.mjs';
import { ARTIFACTS, BIN, WEB_ROOT, runSuite } from './suite.mjs';
import { startServer } from '../support/parley_server.mjs';


runSuite('panel', async (run) => {
  const { dir, errors } = run;
  const pass = (what) => run.pass(what);
  const bin = BIN;
  const config = path.join(dir, 'parley.json');
  await writeFile(config, JSON.stringify({
    sites: [{ id: 'demo', secret: 'panel-test-secret-0123456789', anonymous_visitors: true }],
    storage: { path: path.join(dir, 'data') }, web: { root: WEB_ROOT }, dev_tokens: true,
    limits: { commands_per_s: 1000, commands_burst: 1000 },
  }));
  run.server = startServer(bin, config);
  const base = `http://127.0.0.1:${await run.server.port}`;
  const browser = await run.launch();
  const open = async (context, url) => {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => errors.push(`${url}: ${e.message}`));
    assert.equal((await page.goto(url)).status(), 200);
    return page;
  };

  // The operator signs in.
  // bypassCSP only lets the accessibility scan inject axe into the page.
  const opContext = await browser.newContext({ viewport: { width: 1360, height: 820 }, bypassCSP: true,
    permissions: ['notifications'] });
  await opContext.addInitScript(BACKGROUND);
  const op = await open(opContext, `${base}/web/operator/`);
  await op.fill('#op-id', 'op-olga');
  await op.fill('#op-name', 'Olga');
  await op.click('#signin-form button[type=submit]');
  await op.locator('#online.up').waitFor();
  pass('the operator signs in through the demo token endpoint and goes online');

  // A visitor writes from the shop.
  const shop = await open(await browser.newContext(), `${base}/web/demo/`);
  await shop.click('#parley-widget .launcher');
  await shop.fill('#parley-widget textarea', 'Hello from the shop');
  await shop.press('#parley-widget textarea', 'Enter');
  await shop.locator('#parley-widget li.mine[data-state="sent"]').waitFor();
  const row = op.locator('#list .row', { hasText: /Visitor [\w-]{6}/ });
  await row.first().waitFor();
  pass('the new conversation appears in the queued inbox, live');

  await row.first().click();
  await op.locator('#parts li.visitor', { hasText: 'Hello from the shop' }).waitFor();
  await op.click('#assign');
  await op.locator('#c-meta', { hasText: 'assigned to Olga' }).waitFor();
  pass('the operator opens it and assigns it to herself');

  await shop.fill('#parley-widget textarea', 'Are you there? Write to anna@example.com');
  await op.locator('#typing').waitFor({ state: 'visible' });
  await shop.press('#parley-widget textarea', 'Enter');
  await op.locator('#parts li.visitor', { hasText: 'Are you there?' }).waitFor();
  pass('visitor typing and messages reach the panel');

  await op.fill('#reply', 'Yes! How can I help?');
  await op.press('#reply', 'Enter');
  await shop.locator('#parley-widget li.theirs', { hasText: 'How can I help' }).waitFor();
  await op.locator('#parts li.staff[data-read="true"]', { hasText: 'How can I help' }).waitFor();
  pass('the reply reaches the widget, and the panel shows the visitor read it');
  await op.check('input[value=note]');
  await op.fill('#reply', 'Internal: VIP customer');
  await op.press('#reply', 'Enter');
  await op.locator('#parts li.note', { hasText: 'VIP customer' }).waitFor();
  await op.fill('#tag-input', 'sizing');
  await op.press('#tag-input', 'Enter');
  await op.locator('#tags .tag', { hasText: 'sizing' }).waitFor();
  await op.check('input[value=reply_admin]');
  pass('reply, note and tag from the panel');
  await op.click('[data-tab=mine]');
  await op.locator('#list .row.active').waitFor();
  await op.screenshot({ path: path.join(ARTIFACTS, 'panel-conversation.png') });
  assert.deepEqual(await seriousViolations(op), [], 'axe: serious or critical violations in the panel');
  pass(`axe scan of the panel with a conversation open: no serious or critical violation (all: ${JSON.stringify(await violationCounts(op))})`);

  // Export, as written and with personal data redacted.
  const download = async (button) => {
    await op.click('#export');
    await op.screenshot({ path: path.join(ARTIFACTS, 'panel-export.png') });
    const [file] = await Promise.all([op.waitForEvent('download'), op.click(button)]);
    return readFile(await file.path(), 'utf8');
  };
  const asWritten = await download('#export-full');
  assert.match(asWritten, /Are you there\? Write to anna@example\.com/);
  const redacted = await download('#export-redacted');
  assert.match(redacted, /Are you there\? Write to \[email\]/);
  assert.ok(!redacted.includes('anna@example.com'), 'the redacted export has no e-mail address');
  assert.ok(await op.locator('#export-form').isHidden(), 'the export choice closes after a download');
  pass('export of the transcript as written and with personal data redacted');

  // Edit and remove her own reply: the visitor sees both.
  op.once('dialog', (d) => d.accept('Yes! How can I help you today?'));
  await op.locator('#parts li.staff', { hasText: 'How can I help' }).getByRole('button', { name: 'Edit message' }).click();
  await shop.locator('#parley-widget li.theirs', { hasText: 'How can I help you today?' }).waitFor();
  await op.fill('#reply', 'Sent by mistake');
  await op.press('#reply', 'Enter');
  await shop.locator('#parley-widget li.theirs', { hasText: 'Sent by mistake' }).waitFor();
  op.once('dialog', (d) => d.accept());
  await op.locator('#parts li.staff', { hasText: 'Sent by mistake' }).getByRole('button', { name: 'Remove message' }).click();
  await shop.locator('#parley-widget li.theirs', { hasText: 'Message removed' }).waitFor();
  pass('edit and remove of her own reply reach the widget');

  // Transfer to a department; the inbox can filter by it.
  await op.click('#transfer');
  await op.fill('#transfer-department', 'returns');
  await op.click('#transfer-form button[type=submit]');
  await op.locator('#c-meta', { hasText: 'department returns' }).waitFor();
  await op.locator('[data-tab=open]').click();
  await op.selectOption('#department', 'returns');
  const transferred = (await op.locator('#c-meta').innerText()).match(/^#(\d+)/)[1];
  await op.locator(`#list .row[data-id="${transferred}"]`).waitFor();
  await op.selectOption('#department', '');
  pass('transfer to a department, and the inbox filtered by it');

  await op.click('#close');
  await op.locator('#c-meta', { hasText: 'finished' }).waitFor();
  await shop.fill('#parley-widget textarea', 'One more question');
  await shop.press('#parley-widget textarea', 'Enter');
  await op.locator('#c-meta', { hasText: /· assigned ·/ }).waitFor();
  pass('closed, then reopened by the visitor writing again');
  const widgetText = await shop.locator('#parley-widget').innerText();
  assert.ok(!widgetText.includes('VIP customer'), 'the note never reaches the widget');
  assert.ok(!widgetText.includes('sizing'), 'tags stay hidden from the widget');
  pass('the widget never shows the note or the tag');

  // 105 more queued conversations, then 200 parts, scrolled back through.
  const devToken = async (claims) => (await (await fetch(`${base}/v1/dev/token`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ site: 'demo', ...claims }) })).json()).token;
  const queuer = await devToken({ role: 'visitor', sub: 'visitor-queue', name: 'Queued Visitor' });
  for (let i = 0; i < 105; i += 1) {
    const res = await fetch(`${base}/v1/conversations`, { method: 'POST',
      headers: { Authorization: `Bearer ${queuer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ random_id: `queued-${i}` }) });
    assert.equal(res.status, 201);
  }
  const token = { token: await devToken({ role: 'operator', sub: 'op-bulk' }) };
  const id = Number((await op.locator('#c-meta').innerText()).match(/^#(\d+)/)[1]);
  for (let i = 0; i < 200; i += 1) {
    const res = await fetch(`${base}/v1/conversations/${id}/parts`, { method: 'POST',
      headers: { Authorization: `Bearer ${token.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'reply_admin', random_id: `bulk-${i}`, body: `bulk message ${i}` }) });
    assert.equal(res.status, 201);
  }
  await op.reload();
  await op.locator('#online.up').waitFor();
  await op.locator('#list .row >> nth=99').waitFor();
  assert.equal(await op.locator('#list .row').count(), 100, 'the queued tab reads its first page of 100');
  await op.click('#more');
  await op.locator('#list .row >> nth=104').waitFor();
  assert.equal(await op.locator('#list .row').count(), 105);
  assert.ok(await op.locator('#more').isHidden(), 'no more pages after the last');
  await op.screenshot({ path: path.join(ARTIFACTS, 'panel-inbox.png') });
  pass('the inbox pages past 100 conversations in a tab');
  await op.locator('[data-tab=open]').click();
  await op.locator(`#list .row[data-id="${id}"]`).click();
  await op.locator('#parts li', { hasText: 'bulk message 199' }).waitFor();
  while (await op.locator('#older').isVisible()) {
    const before = await op.locator('#parts li').count();
    await op.click('#older');
    await op.waitForFunction((n) => document.querySelectorAll('#parts li').length > n, before);
  }
  assert.equal(await op.locator('#parts li', { hasText: /bulk message \d+/ }).count(), 200);
  await op.locator('#parts li.visitor', { hasText: 'Hello from the shop' }).waitFor();
  pass('the panel scrolls back through 200 parts to the first message');

  // Desktop notifications, only while the panel is in the background.
  assert.deepEqual(await notifications(op), [], 'no notification while the panel is in front');
  await setHidden(op, true);
  const second = await open(await browser.newContext(), `${base}/web/demo/`);
  await second.click('#parley-widget .launcher');
  await second.fill('#parley-widget textarea', 'A second visitor');
  await second.press('#parley-widget textarea', 'Enter');
  await second.locator('#parley-widget li.mine[data-state="sent"]').waitFor();
  await shop.fill('#parley-widget textarea', 'Still there?');
  await shop.press('#parley-widget textarea', 'Enter');
  await op.waitForFunction(() => window.__parleyTestNotifications.some((n) => n.body === 'Still there?'));
  const raised = await notifications(op);
  const started = raised.findIndex((n) => n.title === 'New conversation');
  const message = raised.findIndex((n) => n.body === 'Still there?');
  assert.ok(started >= 0 && /opened a chat/.test(raised[started].body), `a notification for the new conversation: ${JSON.stringify(raised)}`);
  assert.match(raised[message].title, /^New message from /);
  await setHidden(op, false);
  await clickNotification(op, started);
  await op.locator('#parts li.visitor', { hasText: 'A second visitor' }).waitFor();
  await clickNotification(op, message);
  await op.locator('#parts li.visitor', { hasText: 'Still there?' }).waitFor();
  pass('in the background: desktop notifications for a new conversation and a visitor message, each opening its conversation');

  // The server restarts: the panel reconnects by itself and stays live.
  const port = new URL(base).port;
  run.server.child.kill('SIGTERM');
  await run.server.exited;
  await op.locator('#online.down').waitFor();
  run.server = startServer(bin, config, `127.0.0.1:${port}`);
  await run.server.port;
  await op.locator('#online.up').waitFor({ timeout: 40_000 });
  await shop.fill('#parley-widget textarea', 'Back after the restart');
  await shop.press('#parley-widget textarea', 'Enter');
  await op.locator('#parts li.visitor', { hasText: 'Back after the restart' }).waitFor({ timeout: 40_000 });
  assert.equal(await op.locator('#parts li', { hasText: 'Back after the restart' }).count(), 1);
  pass('server restarted: the panel reconnects and gets the next visitor message once');

  // A short-lived operator token: the panel hands the connection a fresh one in time.
  const short = execFileSync(bin, ['token', '--config', config, '--site', 'demo', '--role', 'operator',
    '--sub', 'op-short', '--name', 'Short', '--ttl', '6'], { encoding: 'utf8' }).trim();
  const shortContext = await browser.newContext();
  await shortContext.addInitScript((token) => {
    if (!sessionStorage.getItem('parley-operator'))
      sessionStorage.setItem('parley-operator', JSON.stringify({ token, id: 'op-short', name: 'Short' }));
    const Real = window.WebSocket;
    window.WebSocket = class extends Real {
      constructor(url, ...rest) { super(url, ...rest); window.__firstToken ??= new URL(url).searchParams.get('token'); }
    };
  }, short);
  const shortPage = await shortContext.newPage();
  shortPage.setDefaultTimeout(10_000);
  shortPage.on('pageerror', (e) => errors.push(`short token: ${e.message}`));
  const sockets = [];
  shortPage.on('websocket', (ws) => sockets.push(ws));
  await shortPage.goto(`${base}/web/operator/`);
  await shortPage.locator('#online.up').waitFor();
  await shortPage.waitForTimeout(7000); // past the short token's exp
  assert.equal(await shortPage.evaluate(() => window.__firstToken), short, 'the panel connected with the short token');
  assert.equal(sockets.length, 1, 'the first connection is still the only one: refreshed, not closed with 4001');
  assert.ok(await shortPage.locator('#online.up').isVisible());
  const kept = await shortPage.evaluate(() => JSON.parse(sessionStorage.getItem('parley-operator')).token);
  assert.notEqual(kept, short, 'the fresh token is kept for a reload');
  pass('a 6-second operator token is refreshed on the open connection; one connection past its exp');
});
