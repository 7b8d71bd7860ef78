// Puts a page "in the background" the way a hidden tab is (document.hidden, the
// visibilitychange event) and records the desktop notifications it raises, so a test can
// check what happens while the user is looking elsewhere. Headless Chromium has no
// window manager to hide a tab with.

/** Install on a context before its pages load: `await context.addInitScript(BACKGROUND)`. */
export const BACKGROUND = () => {
  let hidden = false;
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  window.__parleyTestSetHidden = (value) => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
  window.__parleyTestNotifications = [];
  window.__parleyTestTitles = new Set();
  setInterval(() => window.__parleyTestTitles.add(document.title), 100);
  if (window.Notification) {
    // The real constructor still runs: only what the page asked for is recorded.
    const Real = window.Notification;
    window.Notification = class extends Real {
      constructor(title, options = {}) {
        super(title, options);
        window.__parleyTestNotifications.push({ title, body: options.body, tag: options.tag, notification: this });
      }
    };
  }
};

export const setHidden = (page, hidden) => page.evaluate((h) => window.__parleyTestSetHidden(h), hidden);

/** The notifications raised so far: [{title, body, tag}]. */
export const notifications = (page) =>
  page.evaluate(() => window.__parleyTestNotifications.map(({ title, body, tag }) => ({ title, body, tag })));

/** Every title the page has shown, sampled every 100 ms. */
export const titlesSeen = (page) => page.evaluate(() => [...window.__parleyTestTitles]);

/** Clicks the n-th notification raised, as the user would in the system tray. */
export const clickNotification = (page, n) =>
  page.evaluate((i) => window.__parleyTestNotifications[i].notification.onclick?.(new Event('click')), n);
