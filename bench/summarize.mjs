// Turns bench/run.sh's raw results into bench/results/latest.md: the machine, the commit,
// each scenario's median figures against BENCH.md's targets, and the ceilings from the
// micro-benchmarks measured in the same run.
//
//   node bench/summarize.mjs RAW.jsonl MICRO.json --commit C --nproc N --cpu M --kernel K
//        --runs R --duration S

import { readFileSync } from 'node:fs';

const [rawPath, microPath, ...rest] = process.argv.slice(2);
const info = {};
for (let i = 0; i + 1 < rest.length; i += 2) info[rest[i].replace(/^--/, '')] = rest[i + 1];

const lines = readFileSync(rawPath, 'utf8').split('\n').filter((l) => l.trim());
const results = lines.map((l) => JSON.parse(l));

function median(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!v.length) return undefined;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

const whole = (x) => (x === undefined ? '–' : Math.round(x).toLocaleString('en-US'));
const clean = (r) => r.exit_code === 0 && !r.errors && !r.lost && !r.duplicated && !r.reordered;

// Runs of one scenario (and variant); failed runs are counted, never averaged in.
function runsOf(scenario, match = () => true) {
  const all = results.filter((r) => r.scenario === scenario && match(r));
  const good = all.filter(clean);
  const m = (key) => median(good.map((r) => r[key]));
  return { all, good, m };
}

function verdict(value, target, higherIsBetter) {
  if (value === undefined) return 'no valid run';
  if (higherIsBetter) return value >= target ? 'met' : `missed (${((100 * value) / target).toFixed(0)}% of target)`;
  return value <= target ? 'met' : `missed (${(value / target).toFixed(1)}× the limit)`;
}

const rows = [];
function row(name, s, figure, latency, target, status) {
  const bad = s.all.length - s.good.length;
  const runs = `${s.good.length}/${s.all.length}` + (bad ? ' (failed runs excluded)' : '');
  const rss = s.m('server_rss_kib');
  rows.push(`| ${name} | ${runs} | ${figure} | ${latency} | ${rss ? whole(rss / 1024) + ' MiB' : '–'} | ${target} | ${status} |`);
}
const lat = (s, prefix = '') =>
  `${whole(s.m(prefix + 'p50_us'))} / ${whole(s.m(prefix + 'p99_us'))} / ${whole(s.m(prefix + 'p999_us'))}`;

{
  const s = runsOf('pairs');
  row('`pairs` C=100 W=4', s,
    `${whole(s.m('committed_parts_per_s'))} committed parts/s, ${whole(s.m('delivered_msgs_per_s'))} delivered msgs/s`,
    `ack ${lat(s, 'ack_')}; delivery ${lat(s, 'delivery_')}`,
    '≥ 90,000 parts/s', verdict(s.m('committed_parts_per_s'), 90000, true));
}
{
  const s = runsOf('openloop');
  row('`openloop` 20,000 parts/s', s,
    `${whole(s.m('achieved_rate'))} sent/s, ${whole(s.m('delivered_msgs_per_s'))} delivered msgs/s`,
    lat(s), 'p99 ≤ 1,000 µs', verdict(s.m('p99_us'), 1000, false));
}
{
  const s = runsOf('fanout');
  row('`fanout` N=2000 S=10', s, `${whole(s.m('delivered_msgs_per_s'))} deliveries/s (${whole(s.m('committed_parts_per_s'))} parts/s)`,
    lat(s), '≥ 400,000 deliveries/s', verdict(s.m('delivered_msgs_per_s'), 400000, true));
}
for (const n of [10000, 19000]) {
  const s = runsOf('idle', (r) => r.connections === n);
  const perConn = s.m('rss_per_connection_bytes');
  row(`\`idle\` N=${n.toLocaleString('en-US')}`, s,
    `${whole(perConn)} bytes RSS per connection, ${whole(s.m('connected'))} connected`, '–',
    '≤ 4,096 bytes per connection', verdict(perConn, 4096, false));
}
{
  const s = runsOf('history');
  row('`history` 10,000 × 100 parts, 64 conns', s, `${whole(s.m('requests_per_s'))} requests/s`, lat(s),
    '≥ 20,000 req/s, p99 ≤ 5,000 µs',
    `${verdict(s.m('requests_per_s'), 20000, true)}; p99 ${verdict(s.m('p99_us'), 5000, false)}`);
}
{
  const s = runsOf('list');
  row('`list` 100,000 conversations, a day + `status[]`, 64 conns', s,
    `${whole(s.m('requests_per_s'))} requests/s, ${whole(s.m('keys_read_per_request'))} keys read per request ` +
      `(${whole(s.m('matches_per_request'))} matches)`,
    lat(s), '≥ 10,000 req/s, p99 ≤ 10,000 µs',
    `${verdict(s.m('requests_per_s'), 10000, true)}; p99 ${verdict(s.m('p99_us'), 10000, false)}`);
}
{
  const s = runsOf('sync');
  row('`sync` C=100 W=4, fsync per batch', s, `${whole(s.m('committed_parts_per_s'))} committed parts/s`,
    `ack ${lat(s, 'ack_')}`, '≥ 50,000 parts/s', verdict(s.m('committed_parts_per_s'), 50000, true));
}

const out = [];
out.push('# parley benchmark results', '');
out.push('Written by `bench/run.sh`; method in BENCH.md and docs/performance.md.', '');
out.push('| machine | |', '|---|---|');
out.push(`| commit | \`${info.commit}\` |`);
out.push(`| date | ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} |`);
out.push(`| CPUs (\`nproc\`) | ${info.nproc} |`);
out.push(`| CPU model | ${info.cpu} |`);
out.push(`| kernel | ${info.kernel} |`);
out.push(`| method | server \`taskset -c 0\`, \`threads: 1\`; generator \`taskset -c 1\`; fresh data dir per run; ` +
  `2 s warm-up, ${info.duration} s measured; medians of ${info.runs} runs (idle: 1 run per size) |`, '');
out.push('## Scenarios', '');
out.push('Latencies are p50 / p99 / p999 in µs.', '');
out.push('| scenario | valid runs | figure (median) | latency | server RSS | target | result |');
out.push('|---|---|---|---|---|---|---|');
out.push(...rows, '');

const micro = JSON.parse(readFileSync(microPath, 'utf8'));
out.push('## Ceilings (micro-benchmarks, same run, CPU 0)', '');
out.push('| benchmark | per item | items/s |', '|---|---|---|');
for (const b of micro.benchmarks) {
  if (b.run_type === 'aggregate') continue;
  const name = b.name.replace(/\/real_time$/, '');
  const perItem = b.items_per_second ? `${(1e6 / b.items_per_second).toFixed(2)} µs` : '–';
  out.push(`| \`${name}\` | ${perItem} | ${whole(b.items_per_second)} |`);
}
out.push('');
const ceiling = (name) => micro.benchmarks.find((b) => b.name.replace(/\/real_time$/, '') === name)?.items_per_second;
const pairs = runsOf('pairs').m('committed_parts_per_s');
const sync = runsOf('sync').m('committed_parts_per_s');
const store128 = ceiling('store_commit/batch:128/sync:0');
const sync128 = ceiling('store_commit/batch:128/sync:1');
const json = ceiling('json/whole_part');
out.push('## Read against the ceilings', '');
if (pairs && store128) out.push(`- \`pairs\` commits at ${(100 * pairs / store128).toFixed(0)}% of the store's own commit rate (batch 128, sync off).`);
if (pairs && json) out.push(`- The JSON work alone would allow ${whole(json)} parts/s on one core; \`pairs\` reaches ${(100 * pairs / json).toFixed(0)}% of that.`);
if (sync && sync128) out.push(`- \`sync\` commits at ${(100 * sync / sync128).toFixed(0)}% of the store's fsynced rate in batches of 128.`);
out.push('');
process.stdout.write(out.join('\n'));
