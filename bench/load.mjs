// npm run bench:load — autocannon against `serve` on loopback: the form page and PDF downloads at
// 1, 4 and 16 connections, the form page while PDFs are being generated, overload (503s), RSS
// over 1,000 PDF renders; then the web form's targets: the bid list and the form page while 4
// clients (4 loopback addresses, one process each) flood live previews of a 150-person bid, the
// server time of a preview of the largest example, and the bid list with 1,000 bids. The server
// runs here (so event-loop delay and RSS can be sampled); every client runs as a separate process
// so the load does not share the server's event loop. LOAD_PHASES=web runs only the web form part.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ── Client processes (spawned by the benchmark itself) ──

/** One HTTP request from `localAddress` (keep-alive agent); resolves with status, body and ms. */
function request(agent, url, { method = 'GET', headers = {}, body } = {}) {
  const u = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, headers },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', () =>
      resolve({ status: 0, headers: {}, text: '', ms: performance.now() - started }),
    );
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

async function session(agent, base) {
  const r = await request(agent, `${base}/bids`);
  const cookie = String(r.headers['set-cookie']?.[0] ?? '').split(';')[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(r.text)?.[1] ?? '';
  return { cookie, token };
}

if (
  process.argv[2] === '--flood' ||
  process.argv[2] === '--probe' ||
  process.argv[2] === '--preview'
) {
  const [mode, base, localAddress, arg, seconds] = process.argv.slice(2);
  // A flooding client keeps 4 previews under way (more than its limit), the others one request.
  const conns = mode === '--flood' ? 4 : 1;
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns, localAddress });
  const { cookie, token } = await session(agent, base);
  const until = Date.now() + Number(seconds) * 1000;
  const out = {};
  if (mode === '--probe') {
    // The pages a salesperson opens, one after another, as fast as they answer.
    const urls = arg.split(',');
    for (const u of urls) out[u] = [];
    while (Date.now() < until)
      for (const u of urls) {
        const r = await request(agent, `${base}${u}`, { headers: { cookie } });
        out[u].push(r.status === 200 ? r.ms : -r.status || -1);
      }
  } else {
    // Live previews, each a different input (no cache hits): --flood as fast as answered,
    // --preview a fixed number one after another, recording the server's own timing.
    const fields = JSON.parse(readFileSync(arg, 'utf8'));
    const statuses = {};
    const serverMs = [];
    const wallMs = [];
    const count = mode === '--preview' ? Number(seconds) : Infinity;
    let n = 0;
    const one = async () => {
      const i = n++;
      const body = new URLSearchParams(
        fields.map(([k, v]) => [k, k === 'project.name' ? `${v} ${localAddress} ${i}` : v]),
      ).toString();
      const r = await request(agent, `${base}/api/preview`, {
        method: 'POST',
        headers: {
          cookie,
          'x-csrf-token': token,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
        body,
      });
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const st = /preview;dur=([\d.]+)/.exec(String(r.headers['server-timing'] ?? ''));
      if (r.status === 200 && st) serverMs.push(Number(st[1]));
      if (r.status === 200) wallMs.push(r.ms);
    };
    await Promise.all(
      Array.from({ length: conns }, async () => {
        while (mode === '--preview' ? n < count : Date.now() < until) await one();
      }),
    );
    Object.assign(out, { statuses, serverMs, wallMs });
  }
  agent.destroy();
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

const { createApp } = await import('../dist/server/app.js');
const { RenderPool } = await import('../dist/server/render-pool.js');
const run = promisify(execFile);
const AUTOCANNON = path.join(ROOT, 'node_modules', '.bin', 'autocannon');
const SECONDS = Number(process.env.LOAD_SECONDS ?? 6);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-load-'));
const pool = new RenderPool({ threads: os.cpus().length >= 2 ? 2 : 1, maxQueue: 8 });
const { app, store, previews } = createApp({ dataDir, pool });
await store.open();
await pool.warmup();
const bid = parse(readFileSync(path.join(ROOT, 'examples', 'hospital-his.yaml'), 'utf8'));
delete bid.tender;
await store.save('bid-load', bid, null);
const httpServer = await new Promise((r) => {
  const s = app.listen(0, '127.0.0.1', () => r(s));
});
const base = `http://127.0.0.1:${httpServer.address().port}`;
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

const f = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const WEB_ONLY = process.env.LOAD_PHASES === 'web';

/** The PDF and form-page phases (autocannon). */
async function serverPhases() {
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
  const overload = {
    ...(await cannon(PDF, ['-c', '64', '-d', String(SECONDS)])),
    loop: loopStats(),
  };

  // RSS over 1,000 renders.
  const rss = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss / 2 ** 20), 250);
  const thousand = await cannon(PDF, ['-c', '4', '-a', '1000']);
  clearInterval(sampler);

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
  return { rows, mixed, overload, thousand, rssMb: rss, targets };
}

// ── The web form's targets ──

const pct = (a, p) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const stats = (a) => ({ n: a.length, p50: pct(a, 50), p99: pct(a, 99), max: Math.max(...a) });

/** Runs this file as a client process (see the top) and returns what it printed. */
function client(mode, localAddress, arg, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), mode, base, localAddress, arg, String(seconds)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client ${mode} exited ${code}`)),
    );
  });
}

/** The form's fields as a browser submits them (inputs, checked boxes, textareas, selects). */
function formFields(html) {
  let form = html.slice(
    html.indexOf('<form method="post" action="/bids/'),
    html.lastIndexOf('</form>'),
  );
  for (let prev = ''; prev !== form;) {
    prev = form;
    form = form.replace(/<template[^>]*>(?:(?!<template)[\s\S])*?<\/template>/g, '');
  }
  const dec = (x) =>
    x
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const out = [];
  for (const m of form.matchAll(/<input ([^>]*)>/g)) {
    const a = m[1];
    const name = /\bname="([^"]+)"/.exec(a)?.[1];
    const type = /\btype="([^"]+)"/.exec(a)?.[1];
    if (!name || name === '_csrf' || type === 'submit' || / form="/.test(a)) continue;
    if ((type === 'checkbox' || type === 'radio') && !/ checked/.test(a)) continue;
    out.push([dec(name), dec(/\bvalue="([^"]*)"/.exec(a)?.[1] ?? '')]);
  }
  for (const m of form.matchAll(/<textarea[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
    out.push([dec(m[1]), dec(m[2].replace(/^\r?\n/, ''))]);
  for (const m of form.matchAll(/<select[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const sel =
      /<option value="([^"]*)"[^>]*\bselected\b/.exec(m[2]) ?? /<option value="([^"]*)"/.exec(m[2]);
    out.push([dec(m[1]), dec(sel?.[1] ?? '')]);
  }
  return out;
}

/** Fields of a saved bid's form page, written to a file for the client processes. */
async function fieldsFile(id) {
  const agent = new http.Agent({ keepAlive: false });
  const { cookie } = await session(agent, base);
  const page = await request(agent, `${base}/bids/${id}`, { headers: { cookie } });
  const file = path.join(dataDir, `.fields-${id}.json`);
  writeFileSync(file, JSON.stringify([...formFields(page.text), ['_id', id]]));
  return file;
}

async function webPhases() {
  // A 150-person bid: hospital-his with a roster of 150.
  const big = parse(readFileSync(path.join(ROOT, 'examples', 'hospital-his.yaml'), 'utf8'));
  delete big.tender;
  const sur = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜';
  const giv = '文博嘉宁子航雅琪思远志强';
  big.staff.roster = Array.from({ length: 150 }, (_, i) => ({
    name: `${sur[i % sur.length]}${giv[i % giv.length]}${giv[(i * 3) % giv.length]}`,
    phone: `138-0000-${String(i).padStart(4, '0')}`,
    role: i % 5 ? '实施工程师' : '驻场工程师',
  }));
  await store.saveText('bid-big', stringify(big, { lineWidth: 0 }), null);
  // The largest example (by its file), as shipped but for its tender file.
  const largest = ['hospital-his', 'highway-monitoring', 'dev-project-60m', 'minimal']
    .map((n) => ({ n, size: readFileSync(path.join(ROOT, 'examples', `${n}.yaml`)).length }))
    .sort((a, b) => b.size - a.size)[0].n;
  const largeBid = parse(readFileSync(path.join(ROOT, 'examples', `${largest}.yaml`), 'utf8'));
  delete largeBid.tender;
  await store.saveText('bid-largest', stringify(largeBid, { lineWidth: 0 }), null);
  const bigFields = await fieldsFile('bid-big');
  const largestFields = await fieldsFile('bid-largest');
  await drained();

  // Preview of the largest example: server time (Server-Timing) and wall time, 40 in a row.
  const pv = await client('--preview', '127.0.0.30', largestFields, 40);
  const preview = {
    example: largest,
    server: stats(pv.serverMs),
    wall: stats(pv.wallMs),
    statuses: pv.statuses,
  };

  // The bid list and the form page while 4 clients flood previews of the 150-person bid.
  await drained();
  loopStats();
  const probeUrls = ['/bids', '/bids/bid-load'];
  const [probe, ...floods] = await Promise.all([
    (async () => {
      await new Promise((r) => setTimeout(r, 500)); // the flood first
      return client('--probe', '127.0.0.20', probeUrls.join(','), SECONDS);
    })(),
    ...[11, 12, 13, 14].map((n) => client('--flood', `127.0.0.${n}`, bigFields, SECONDS + 1)),
  ]);
  const floodLoop = loopStats();
  const statuses = {};
  for (const fl of floods)
    for (const [k, v] of Object.entries(fl.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const flood = {
    list: stats(probe['/bids'].filter((x) => x >= 0)),
    form: stats(probe['/bids/bid-load'].filter((x) => x >= 0)),
    failures: [...probe['/bids'], ...probe['/bids/bid-load']].filter((x) => x < 0).length,
    previews: statuses,
    previewWall: stats(floods.flatMap((x) => x.wallMs)),
    loop: floodLoop,
    cacheMb: previews.cacheBytes / 2 ** 20,
  };

  // 1,000 bids: the index built at the first start, the list page, a restart with the index.
  const listDir = mkdtempSync(path.join(os.tmpdir(), 'tk-load-list-'));
  const names = ['hospital-his', 'highway-monitoring', 'dev-project-60m', 'minimal'];
  const texts = names.map((n) => readFileSync(path.join(ROOT, 'examples', `${n}.yaml`), 'utf8'));
  for (let i = 0; i < 1000; i++)
    writeFileSync(
      path.join(listDir, `bid-${String(i).padStart(4, '0')}.yaml`),
      texts[i % 4].replace(/^(project:\n {2}name: )(.*)$/m, `$1$2（第 ${i + 1} 份）`),
    );
  const listPool = {
    threadCount: 1,
    preview: async () => ({}),
    build: async () => ({}),
    close: async () => {},
  };
  let t = performance.now();
  const first = createApp({ dataDir: listDir, pool: listPool });
  await first.store.open();
  const coldIndexMs = performance.now() - t;
  t = performance.now();
  const second = createApp({ dataDir: listDir, pool: listPool });
  await second.store.open();
  const warmIndexMs = performance.now() - t;
  const listServer = await new Promise((r) => {
    const x = second.app.listen(0, '127.0.0.1', () => r(x));
  });
  const listAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const listUrl = `http://127.0.0.1:${listServer.address().port}/bids`;
  const listMs = [];
  let rows1000 = 0;
  for (let i = 0; i < 60; i++) {
    const r = await request(listAgent, listUrl);
    if (i === 0) rows1000 = (r.text.match(/<tr>/g) ?? []).length - 1;
    if (i >= 10) listMs.push(r.ms);
  }
  listAgent.destroy();
  listServer.close();
  rmSync(listDir, { recursive: true, force: true });
  const list = {
    bids: rows1000,
    coldIndexMs,
    warmIndexMs,
    page: stats(listMs),
    rebuilt: second.store.index.lastRebuild,
  };

  console.log(
    `\nWeb form (${SECONDS} s flood: 4 client processes on 127.0.0.11–14, 4 connections each; previews ${previews.concurrency} at a time, ${previews.perClient} per client, queue ${previews.maxQueue})`,
  );
  console.log('| measurement | n | median ms | p99 ms | max ms |');
  console.log('|---|--:|--:|--:|--:|');
  const line = (name, x) =>
    console.log(`| ${name} | ${x.n} | ${f(x.p50)} | ${f(x.p99)} | ${f(x.max)} |`);
  line('bid list while 4 clients flood previews of a 150-person bid', flood.list);
  line('form page (hospital-his) during the same flood', flood.form);
  line('flood previews answered 200 (wall time at the flooding client)', flood.previewWall);
  line(`preview of the largest example (${largest}), server time`, preview.server);
  line(`preview of the largest example (${largest}), wall time at the client`, preview.wall);
  line(`bid list with ${list.bids} bids`, list.page);
  console.log(
    `Flood answers: ${Object.entries(flood.previews)
      .map(([k, v]) => `${v} × ${k}`)
      .join(
        ', ',
      )}; page failures ${flood.failures}; loop delay p99 ${f(flood.loop.p99)} ms; preview cache ${f(flood.cacheMb)} MB`,
  );
  console.log(
    `1,000 bids: index built in ${f(coldIndexMs)} ms at the first start, ${f(warmIndexMs)} ms at a restart (${list.rebuilt.reused} taken from the index file, ${list.rebuilt.parsed} parsed)`,
  );
  const targets = [
    {
      target: 'bid list p99 ≤ 200 ms while 4 clients flood previews of a 150-person bid',
      ok: flood.list.p99 <= 200 && flood.failures === 0,
      value: `${f(flood.list.p99)} ms`,
    },
    {
      target: 'form page p99 ≤ 200 ms during that flood',
      ok: flood.form.p99 <= 200 && flood.failures === 0,
      value: `${f(flood.form.p99)} ms`,
    },
    {
      target: `preview of the largest example ≤ 150 ms server time (median)`,
      ok: preview.server.p50 <= 150,
      value: `${f(preview.server.p50)} ms (p99 ${f(preview.server.p99)})`,
    },
    {
      target: '1,000 bids listed in under 100 ms (p99)',
      ok: list.bids === 1000 && list.page.p99 < 100,
      value: `${f(list.page.p99)} ms (median ${f(list.page.p50)})`,
    },
  ];
  return { flood, preview, list, targets };
}

const server = WEB_ONLY ? undefined : await serverPhases();
const web = await webPhases();
clearInterval(rssTimer);
const targets = [...(server?.targets ?? []), ...web.targets];
console.log('\nTargets');
for (const t of targets) console.log(`${t.ok ? 'met   ' : 'MISSED'}  ${t.target}: ${t.value}`);
const resultsFile = path.join(ROOT, 'bench', 'load-results.json');
let previous = {};
try {
  previous = JSON.parse(readFileSync(resultsFile, 'utf8'));
} catch {
  // first run
}
writeFileSync(
  resultsFile,
  `${JSON.stringify({ ...(WEB_ONLY ? previous : {}), seconds: SECONDS, cores: os.cpus().length, ...(server ?? {}), peakRssMb: peakRss / 2 ** 20, web, targets: WEB_ONLY ? [...(previous.targets ?? []).filter((x) => !web.targets.some((w) => w.target === x.target)), ...web.targets] : targets }, null, 2)}\n`,
);

httpServer.close();
await pool.close();
rmSync(dataDir, { recursive: true, force: true });
