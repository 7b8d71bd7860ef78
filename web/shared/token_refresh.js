// When an open connection gets a fresh token (docs/protocol.md §7.16): once 80 % of the
// token's remaining lifetime has passed, so the server never has to close it with 4001.
// Shared by the widget and the operator panel.

/** The `exp` claim of a JWT (unix seconds), or null when it cannot be read. */
export function tokenExpiry(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const exp = JSON.parse(atob(payload)).exp;
    return typeof exp === 'number' ? exp : null;
  } catch { return null; }
}

// setTimeout fires at once for delays past 2^31 ms (24.8 days): wait in steps.
const STEP_MS = 86_400_000;

/** Calls `refresh()` once 80 % of `token`'s remaining lifetime has passed. @returns a cancel function. */
export function refreshBeforeExpiry(token, refresh) {
  const exp = tokenExpiry(token);
  if (exp === null) return () => {};
  const due = Date.now() + Math.max(0, exp * 1000 - Date.now()) * 0.8;
  let timer;
  const wait = () => {
    const left = due - Date.now();
    if (left <= 0) refresh();
    else timer = setTimeout(wait, Math.min(left, STEP_MS));
  };
  wait();
  return () => clearTimeout(timer);
}
