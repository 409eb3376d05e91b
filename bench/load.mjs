// npm run bench:load — autocannon against `serve` on loopback: the form page and PDF downloads at
// 1, 4 and 16 connections, the form page while PDFs are being generated, overload (503s), and RSS
// over 1,000 PDF renders. The server runs here (so event-loop delay and RSS can be sampled);
// autocannon runs as a separate process so the load does not share the server's event loop.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { createApp } from '../dist/server/app.js';
import { RenderPool } from '../dist/server/render-pool.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AUTOCANNON = path.join(ROOT, 'node_modules', '.bin', 'autocannon');
const SECONDS = Number(process.env.LOAD_SECONDS ?? 6);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-load-'));
const pool = new RenderPool({ threads: os.cpus().length >= 2 ? 2 : 1, maxQueue: 8 });
const { app, store } = createApp({ dataDir, pool });
await store.open();
await pool.warmup();
const bid = parse(readFileSync(path.join(ROOT, 'examples', 'hospital-his.yaml'), 'utf8'));
delete bid.tender;
await store.save('bid-load', bid, null);
const server = await new Promise((r) => {
  const s = app.listen(0, '127.0.0.1', () => r(s));
});
const base = `http://127.0.0.1:${server.address().port}`;
const FORM = `${base}/bids/bid-load`;
const PDF = `${base}/bids/bid-load/download/commitment-letter.pdf`;

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

/** Waits until the render pool has no queued tasks, so one phase does not bleed into the next. */
async function drained() {
  while (pool.saturated || pool.pending > 0) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 500));
}

async function cannon(url, args) {
  await drained();
  const { stdout } = await run(AUTOCANNON, ['--json', ...args, url], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const r = JSON.parse(stdout);
  return {
    rps2xx: r['2xx'] / (r.duration || 1),
    count2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    p50: r.latency.p50,
    p975: r.latency.p97_5,
    p99: r.latency.p99,
    max: r.latency.max,
  };
}
function loopStats() {
  const s = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
  loop.reset();
  return s;
}

const rows = [];
for (const [name, url] of [
  ['form page', FORM],
  ['PDF download', PDF],
]) {
  for (const c of [1, 4, 16]) {
    loopStats();
    const r = await cannon(url, ['-c', String(c), '-d', String(SECONDS)]);
    rows.push({ name, connections: c, ...r, loop: loopStats() });
  }
}

// The form page while PDFs are being generated.
loopStats();
const [pdfLoad, formUnderLoad] = await Promise.all([
  cannon(PDF, ['-c', '4', '-d', String(SECONDS)]),
  cannon(FORM, ['-c', '4', '-d', String(SECONDS)]),
]);
const mixed = { pdf: pdfLoad, form: formUnderLoad, loop: loopStats() };

// Overload: far more connections than the pool and its queue hold.
loopStats();
const overload = { ...(await cannon(PDF, ['-c', '64', '-d', String(SECONDS)])), loop: loopStats() };

// RSS over 1,000 renders.
const rss = [];
const sampler = setInterval(() => rss.push(process.memoryUsage().rss / 2 ** 20), 250);
const thousand = await cannon(PDF, ['-c', '4', '-a', '1000']);
clearInterval(sampler);
clearInterval(rssTimer);

const f = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
console.log(
  `\nServer load (autocannon, ${SECONDS} s per run, loopback, ${os.cpus().length} cores, 2 render threads, queue 8)`,
);
console.log(
  '| endpoint | conns | 2xx/s | non-2xx | p50 ms | p97.5 ms | p99 ms | loop delay p99 ms |',
);
console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.connections} | ${f(r.rps2xx)} | ${r.non2xx} | ${f(r.p50)} | ${f(r.p975)} | ${f(r.p99)} | ${f(r.loop.p99)} |`,
  );
console.log(
  `\nForm page while PDFs are generated (4 + 4 connections): form p99 ${f(mixed.form.p99)} ms (p50 ${f(mixed.form.p50)}), PDFs ${f(mixed.pdf.rps2xx)}/s, loop delay p99 ${f(mixed.loop.p99)} ms`,
);
console.log(
  `Overload, 64 connections on PDF downloads: ${f(overload.rps2xx)} PDFs/s, ${overload.non2xx} answered 503, p50 ${f(overload.p50)} ms, p99 ${f(overload.p99)} ms, errors ${overload.errors}`,
);
const early = rss.slice(0, Math.max(4, Math.floor(rss.length / 5)));
const late = rss.slice(-Math.max(4, Math.floor(rss.length / 5)));
const avg = (a) => a.reduce((x, y) => x + y, 0) / a.length;
console.log(
  `1,000 PDF renders: ${thousand.count2xx} served, RSS first fifth ${f(avg(early))} MB → last fifth ${f(avg(late))} MB (max ${f(Math.max(...rss))} MB); peak RSS ${f(peakRss / 2 ** 20)} MB`,
);

const pdf4 = rows.find((r) => r.name === 'PDF download' && r.connections === 4);
const targets = [
  {
    target: '≥ 10 PDFs/s on 2 cores (4 connections)',
    ok: pdf4.rps2xx >= 10,
    value: `${f(pdf4.rps2xx)}/s`,
  },
  {
    target: 'form page p99 ≤ 200 ms while PDFs are generated',
    ok: mixed.form.p99 <= 200,
    value: `${f(mixed.form.p99)} ms`,
  },
  {
    target: 'overload answers 503 quickly (p50 ≤ 100 ms), no errors',
    ok: overload.non2xx > 0 && overload.p50 <= 100 && overload.errors === 0,
    value: `${overload.non2xx} × 503, p50 ${f(overload.p50)} ms`,
  },
  {
    target: 'RSS stable over 1,000 renders (last fifth ≤ first fifth + 15%)',
    ok: avg(late) <= avg(early) * 1.15,
    value: `${f(avg(early))} → ${f(avg(late))} MB`,
  },
];
console.log('\nTargets');
for (const t of targets) console.log(`${t.ok ? 'met   ' : 'MISSED'}  ${t.target}: ${t.value}`);
writeFileSync(
  path.join(ROOT, 'bench', 'load-results.json'),
  `${JSON.stringify({ seconds: SECONDS, cores: os.cpus().length, rows, mixed, overload, thousand, rssMb: rss, peakRssMb: peakRss / 2 ** 20, targets }, null, 2)}\n`,
);

server.close();
await pool.close();
rmSync(dataDir, { recursive: true, force: true });
