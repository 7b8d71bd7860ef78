// parley chat widget loader. Embed with
//   <script src="https://HOST/web/widget/parley-widget.js" data-site="demo" async></script>
// optional: data-token-url (your backend mints visitor tokens), data-title,
// data-prechat="name,email" (asked before the first message, sent as prechat_fields),
// data-notify="off" (no title blink on new replies). Or call Parley.init({...}).
// It only draws the launcher; the connection opens when the visitor opens the chat or
// already has a conversation.
(() => {
  if (window.Parley && window.Parley.version) return;
  const script = document.currentScript;
  const base = script ? new URL('.', script.src) : new URL('/web/widget/', location.href);
  let app = null;
  const queued = [];
  const call = (name, args) => (app ? app[name](...args) : queued.push([name, args]));

  window.Parley = {
    version: 1,
    /** @param {{site: string, server?: string, tokenUrl?: string, title?: string, prechat?: string[], notify?: boolean}} options */
    init(options) {
      if (app || window.Parley.starting) return;
      window.Parley.starting = true;
      import(new URL('widget.js', base).href).then(({ mount }) => {
        app = mount({ server: new URL('../..', base).origin, ...options, assets: base.href });
        for (const [name, args] of queued.splice(0)) app[name](...args);
      });
    },
    open: () => call('open', []),
    close: () => call('close', []),
    /** Uses a visitor token your backend minted (SPEC §1) instead of an anonymous one. */
    identify: (token) => call('identify', [token]),
  };

  const site = script && script.dataset.site;
  if (site) {
    const prechat = (script.dataset.prechat || '').split(',').map((f) => f.trim()).filter(Boolean);
    const options = { site, tokenUrl: script.dataset.tokenUrl, title: script.dataset.title, prechat,
                      notify: script.dataset.notify !== 'off' };
    const start = () => window.Parley.init(options);
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
    else start();
  }
})();
