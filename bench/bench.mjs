// npm run bench: warm .docx/PDF generation per example and document (one process), then whole
// processes as a user runs them — TenderKit's commands cold, and LibreOffice converting the same
// .docx files one process per file and in one batch — with peak RSS. Prints the tables and the
// targets, writes bench/results.json. All figures come from this one run.
//
// `node bench/bench.mjs --processes` (npm run bench:cli) measures the whole processes only (no
// warm documents, no LibreOffice) and writes bench/results-cli.json. TenderKit runs with a cache
// folder of its own (XDG_CACHE_HOME in the run's temporary folder, see src/library/cache.ts),
// filled by one run before measuring — as on a machine that has run it before (the library's
// entries and V8's compiled code of the CLI bundle, see src/cli/launch.ts); lint is also measured
// with the cache off, which is what the very first run costs, and from dist/ without the bundle.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { renderAll } from '../dist/build.js';
import { prepareBid } from '../dist/prepare.js';
import { docxWriter } from '../dist/writers/docx/index.js';
import { pdfWriter } from '../dist/writers/pdf/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const WARMUP = 3;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 7);
const SOFFICE_RUNS = Number(process.env.BENCH_SOFFICE_RUNS ?? 3);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-bench-'));
const PROCESSES_ONLY = process.argv.includes('--processes');
const loadAtStart = os.loadavg();

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return {
    median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2,
    min: s[0],
    max: s[s.length - 1],
    n: s.length,
  };
};
async function time(fn, runs = RUNS, warm = WARMUP) {
  for (let i = 0; i < warm; i++) await fn();
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return stats(out);
}
const pages = (pdf) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
const f = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const range = (s) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

/** A large bid: the hospital example with many tiers, a big roster and a long syllabus. */
function largeBid() {
  const bid = parse(readFileSync(path.join(ROOT, 'examples/hospital-his.yaml'), 'utf8'));
  delete bid.tender;
  const names = ['周', '吴', '郑', '王', '冯', '陈', '褚', '卫', '蒋', '沈'];
  bid.staff.committedCount = 40;
  bid.staff.roster = Array.from({ length: 40 }, (_, i) => ({
    name: `${names[i % 10]}工${i + 1}`,
    phone: `138-0000-${String(1000 + i)}`,
    role: i % 3 ? '运维工程师' : '实施工程师',
    note: i % 4 ? undefined : '持证上岗',
  }));
  bid.responseTiers = Array.from({ length: 8 }, (_, i) => ({
    name: `${'ABCDEFGH'[i]}类故障`,
    definition:
      '系统出现影响业务连续性的异常，需按等级在承诺时限内响应、到场并排除，排除后提交故障处理报告。',
    milestones: [
      { kind: 'respond', within: `${30 * (i + 1)}分钟`, from: 'report' },
      {
        kind: 'onsite',
        from: 'report',
        cases: [
          { when: '市区', within: `${2 * (i + 1)}小时` },
          { when: '其他市县', within: `${24 + 2 * i}小时` },
        ],
      },
      { kind: 'resolve', within: `${24 + 12 * i}小时`, from: 'report' },
      { kind: 'report' },
    ],
  }));
  bid.training.modules = Array.from({ length: 60 }, (_, i) => ({
    id: `m${i + 1}`,
    title: `培训模块${i + 1}`,
    content:
      '系统功能讲解、操作演示、上机练习与常见问题处理，结合本院实际业务流程逐项演练，课后进行考核。',
    audiences: [i % 2 ? 'admin' : 'operator'],
    hours: 2,
    method: i % 2 ? 'classroom' : 'hands-on',
  }));
  bid.training.totalHours = 120;
  bid.training.schedule = [];
  bid.penalties.items = Array.from({ length: 10 }, (_, i) => ({
    condition: `第${i + 1}类承诺未按时履行`,
    measure: '按合同约定扣减当期服务费',
    amount: 1000 * (i + 1),
  }));
  const file = path.join(tmp, 'large-bid.yaml');
  writeFileSync(file, stringify(bid));
  return file;
}

const cases = [
  ...['hospital-his', 'highway-monitoring', 'dev-project-60m'].map((n) => ({
    name: n,
    file: path.join(ROOT, 'examples', `${n}.yaml`),
  })),
  { name: 'large (generated)', file: largeBid() },
];

const rows = [];
for (const c of PROCESSES_ONLY ? [] : cases) {
  const bid = prepareBid(c.file, () => {});
  for (const doc of renderAll(bid.params, undefined, bid.extra)) {
    const pdf = await pdfWriter.write(doc);
    rows.push({
      example: c.name,
      document: doc.meta.title,
      pages: pages(pdf),
      docx: await time(() => docxWriter.write(doc)),
      pdf: await time(() => pdfWriter.write(doc)),
    });
  }
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;

// ── Whole processes ──────────────────────────────────────────────────────────────────────────
// Wall time of the process as the shell sees it (spawn to exit) and its peak RSS (GNU time's %M:
// the whole process, every thread included).
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
function proc(cmd, args, { runs = COLD_RUNS, before, env } = {}) {
  const times = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    before?.(i);
    const t = performance.now();
    const r = timeBin
      ? spawnSync(timeBin, ['-f', '%M', cmd, ...args], {
          encoding: 'utf8',
          env: { ...process.env, ...env },
        })
      : spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
    times.push(performance.now() - t);
    if (r.status !== 0)
      throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    if (timeBin) rss.push(Number(r.stderr.trim().split('\n').pop()) / 1024);
  }
  return { ms: stats(times), peakRssMb: rss.length ? Math.max(...rss) : null };
}
/** TenderKit's disk cache for this run: filled by the first run of each command (not measured). */
const CACHE_ENV = { XDG_CACHE_HOME: path.join(tmp, 'cache'), TENDERKIT_CACHE: '' };
const tk = (args, opts = {}) => {
  const env = { ...CACHE_ENV, ...opts.env };
  opts.before?.('warm');
  proc(process.execPath, [BIN, ...args], { ...opts, runs: 1, env });
  return proc(process.execPath, [BIN, ...args], { ...opts, env });
};
/** Every build starts from an empty output folder. */
const outDir = (name) => () => rmSync(path.join(tmp, name), { recursive: true, force: true });

const highway = cases.find((c) => c.name === 'highway-monitoring').file;
const build = (name, file, formats, env) =>
  tk(['build', file, '--out', path.join(tmp, name), ...(formats ? ['--format', formats] : [])], {
    before: outDir(name),
    env,
  });
const nodeBare = proc(process.execPath, ['-e', '0']);
const commands = [
  { command: 'node -e 0 (bare Node.js)', ...nodeBare },
  { command: 'tenderkit --version', ...tk(['--version']) },
  { command: 'tenderkit --help', ...tk(['--help']) },
  { command: 'tenderkit lint highway-monitoring', ...tk(['lint', highway]) },
  {
    command: 'tenderkit lint highway-monitoring, cache off (first run)',
    ...tk(['lint', highway], { env: { TENDERKIT_CACHE: 'off' } }),
  },
  {
    command: 'tenderkit lint highway-monitoring, from dist/ (TENDERKIT_BUNDLE=off)',
    ...tk(['lint', highway], { env: { TENDERKIT_BUNDLE: 'off' } }),
  },
  { command: 'build highway-monitoring --format html', ...build('html', highway, 'html') },
  { command: 'build highway-monitoring --format docx', ...build('docx', highway, 'docx') },
  { command: 'build highway-monitoring --format pdf', ...build('pdf', highway, 'pdf') },
  {
    command: 'build highway-monitoring, one thread (TENDERKIT_THREADS=0)',
    ...build('one-thread', highway, null, { TENDERKIT_THREADS: '0' }),
  },
];
const full = (PROCESSES_ONLY ? [] : cases.slice(0, 3)).map((c) => ({
  command: `build ${c.name}`,
  example: c.name,
  ...build(`full-${c.name}`, c.file, null),
}));
commands.push(...full);
if (PROCESSES_ONLY)
  commands.push({
    command: 'build highway-monitoring',
    example: 'highway-monitoring',
    ...build('full-highway-monitoring', highway, null),
  });
const fullHighway = commands.find((c) => c.command === 'build highway-monitoring');

// ── LibreOffice converting the same four .docx the full build wrote ──────────────────────────
// A private profile (-env:UserInstallation) made once for this run and warmed by one conversion, so
// a LibreOffice the user has open neither breaks nor speeds up the measurement.
const soffice = PROCESSES_ONLY
  ? undefined
  : ['soffice', 'libreoffice'].find((b) => spawnSync('which', [b]).status === 0);
let lo = null;
if (soffice) {
  const docxDir = path.join(tmp, 'lo-input');
  mkdirSync(docxDir);
  const built = path.join(tmp, 'full-highway-monitoring');
  const r = spawnSync(process.execPath, [
    BIN,
    'build',
    highway,
    '--out',
    built,
    '--format',
    'docx',
  ]);
  if (r.status !== 0) throw new Error(`build for LibreOffice failed: ${r.stderr}`);
  const docs = readdirSync(built)
    .filter((x) => x.endsWith('.docx'))
    .sort();
  for (const d of docs) writeFileSync(path.join(docxDir, d), readFileSync(path.join(built, d)));
  const profile = `file://${path.join(tmp, 'lo-profile')}`;
  const convert = (files, out) => [
    `-env:UserInstallation=${profile}`,
    '--headless',
    '--convert-to',
    'pdf',
    '--outdir',
    out,
    ...files,
  ];
  const files = docs.map((d) => path.join(docxDir, d));
  proc(soffice, convert(files.slice(0, 1), path.join(tmp, 'lo-warm')), { runs: 1 });
  const perProcess = [];
  const perRss = [];
  for (let i = 0; i < SOFFICE_RUNS; i++) {
    const t = performance.now();
    let rss = 0;
    for (const file of files) {
      const one = proc(soffice, convert([file], path.join(tmp, `lo-one-${i}`)), { runs: 1 });
      rss = Math.max(rss, one.peakRssMb ?? 0);
    }
    perProcess.push(performance.now() - t);
    perRss.push(rss);
  }
  const batch = proc(soffice, convert(files, path.join(tmp, 'lo-batch')), {
    runs: SOFFICE_RUNS,
    before: () => rmSync(path.join(tmp, 'lo-batch'), { recursive: true, force: true }),
  });
  const produced = readdirSync(path.join(tmp, 'lo-batch')).filter((x) => x.endsWith('.pdf'));
  if (produced.length !== docs.length) throw new Error(`LibreOffice wrote ${produced.length} PDFs`);
  lo = {
    documents: docs,
    perProcess: { ms: stats(perProcess), peakRssMb: Math.max(...perRss) || null },
    batch,
  };
}

// ── Report ──────────────────────────────────────────────────────────────────────────────────
const loadText = (l) => l.map((x) => x.toFixed(2)).join(', ');
console.log(
  `Node ${process.version}, ${os.cpus().length} CPUs; load average (1, 5, 15 min) ${loadText(loadAtStart)} at the start, ${loadText(os.loadavg())} at the end`,
);
if (!PROCESSES_ONLY) {
  console.log(
    `\nWarm, one process (ms): median (min–max) over ${RUNS} runs after ${WARMUP} warm-up runs`,
  );
  console.log('| example | document | pages | docx | pdf |');
  console.log('|---|---|--:|--:|--:|');
  for (const r of rows)
    console.log(
      `| ${r.example} | ${r.document} | ${r.pages} | ${range(r.docx)} | ${range(r.pdf)} |`,
    );
  console.log(`\nPeak RSS of the warm benchmark process: ${peakRssMb.toFixed(0)} MB`);
}

const bare = nodeBare.ms.median;
console.log(`\nWhole processes, cold: median (min–max) ms over ${COLD_RUNS} runs, peak RSS`);
console.log('| command | ms | × node -e 0 | peak RSS MB |');
console.log('|---|--:|--:|--:|');
for (const c of commands)
  console.log(
    `| ${c.command} | ${range(c.ms)} | ${(c.ms.median / bare).toFixed(1)} | ${c.peakRssMb?.toFixed(0) ?? '—'} |`,
  );

if (lo) {
  const ours = fullHighway.ms.median;
  console.log(
    `\nThe same four documents (highway-monitoring) as whole processes, median of ${SOFFICE_RUNS} runs (TenderKit: ${COLD_RUNS})`,
  );
  console.log('| process | ms | peak RSS MB | TenderKit faster by |');
  console.log('|---|--:|--:|--:|');
  console.log(
    `| TenderKit \`build\`: .docx + .pdf of each, manifest, cold | ${range(fullHighway.ms)} | ${fullHighway.peakRssMb?.toFixed(0) ?? '—'} | — |`,
  );
  console.log(
    `| LibreOffice, one \`soffice --convert-to pdf\` per .docx (4 processes) | ${range(lo.perProcess.ms)} | ${lo.perProcess.peakRssMb?.toFixed(0) ?? '—'} | ${(lo.perProcess.ms.median / ours).toFixed(2)}× |`,
  );
  console.log(
    `| LibreOffice, one \`soffice --convert-to pdf\` of all four | ${range(lo.batch.ms)} | ${lo.batch.peakRssMb?.toFixed(0) ?? '—'} | ${(lo.batch.ms.median / ours).toFixed(2)}× |`,
  );
} else if (!PROCESSES_ONLY)
  console.log(
    '\nLibreOffice not installed: no comparison (apt-get install libreoffice-writer-nogui).',
  );

const large =
  rows.find((r) => r.example.startsWith('large') && r.document === '售后服务方案') ?? null;
const docxMedians = rows.map((r) => r.docx.median).sort((a, b) => a - b);
const typicalDocx = docxMedians[docxMedians.length >> 1];
const cmd = (name) => commands.find((c) => c.command === name);
const targets = [
  ...(lo
    ? [
        {
          target:
            'cold full build of highway-monitoring ≥ 2× faster than LibreOffice converting its four .docx in one process',
          value: lo.batch.ms.median / fullHighway.ms.median,
          limit: 2,
          unit: '×',
          atLeast: true,
        },
      ]
    : []),
  {
    target: 'peak RSS of that build ≤ 250 MB',
    value: fullHighway.peakRssMb ?? NaN,
    limit: 250,
    unit: ' MB',
  },
  {
    target: '`tenderkit --version` ≤ 3× `node -e 0`',
    value: cmd('tenderkit --version').ms.median / bare,
    limit: 3,
    unit: '×',
  },
  {
    target: '`tenderkit --help` ≤ 3× `node -e 0`',
    value: cmd('tenderkit --help').ms.median / bare,
    limit: 3,
    unit: '×',
  },
  {
    target: '`tenderkit lint` of an example ≤ 400 ms',
    value: cmd('tenderkit lint highway-monitoring').ms.median,
    limit: 400,
    unit: ' ms',
  },
  ...(large
    ? [
        {
          target: `warm PDF of the generated ${large.document} (${large.pages} pages, with figures) ≤ 80 ms`,
          value: large.pdf.median,
          limit: 80,
          unit: ' ms',
        },
        {
          target: `warm .docx of a typical document (median of ${rows.length} documents) ≤ 15 ms`,
          value: typicalDocx,
          limit: 15,
          unit: ' ms',
        },
      ]
    : []),
];
console.log('\nTargets');
for (const t of targets) {
  t.met = t.atLeast ? t.value >= t.limit : t.value <= t.limit;
  console.log(`${t.met ? 'met   ' : 'MISSED'}  ${t.target}: ${f(t.value)}${t.unit}`);
}
if (large && large.pages < 10)
  console.log(`(the generated ${large.document} has only ${large.pages} pages)`);

const results = {
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? '',
    memGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    loadAverageAtStart: loadAtStart.map((x) => Number(x.toFixed(2))),
  },
  runs: { warm: RUNS, warmup: WARMUP, cold: COLD_RUNS, soffice: SOFFICE_RUNS },
  warm: rows,
  peakRssMb,
  processes: commands,
  libreoffice: lo,
  targets,
};
writeFileSync(
  path.join(ROOT, 'bench', PROCESSES_ONLY ? 'results-cli.json' : 'results.json'),
  `${JSON.stringify(results, null, 2)}\n`,
);
rmSync(tmp, { recursive: true, force: true });
