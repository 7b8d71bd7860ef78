// An axe-core scan of a page (open shadow roots included): the serious and critical
// violations, each as "rule: what (n nodes)".
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

export async function seriousViolations(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
}

/** How many violations of each impact, for the record. */
export async function violationCounts(page) {
  return page.evaluate(async () => {
    const counts = {};
    for (const v of (await window.axe.run(document, { resultTypes: ['violations'] })).violations) counts[v.impact] = (counts[v.impact] || 0) + 1;
    return counts;
  });
}
