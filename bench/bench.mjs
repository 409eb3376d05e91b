// npm run bench: warm docx/PDF generation per example and document, cold CLI builds, peak RSS, and
// LibreOffice converting the same .docx in the same run. Prints a table, writes bench/results.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { renderAll } from '../dist/build.js';
import { prepareBid } from '../dist/load/prepare.js';
import { docxWriter } from '../dist/writers/docx/index.js';
import { pdfWriter } from '../dist/writers/pdf/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WARMUP = 3;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const SOFFICE_RUNS = Number(process.env.BENCH_SOFFICE_RUNS ?? 3);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-bench-'));

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
for (const c of cases) {
  const bid = prepareBid(c.file, () => {});
  for (const doc of renderAll(bid.params, undefined, bid.extra)) {
    const docx = await docxWriter.write(doc);
    const pdf = await pdfWriter.write(doc);
    rows.push({
      example: c.name,
      document: doc.meta.title,
      pages: pages(pdf),
      docx: await time(() => docxWriter.write(doc)),
      pdf: await time(() => pdfWriter.write(doc)),
      docxFile: (() => {
        const f = path.join(tmp, `${c.name.replace(/\W+/g, '_')}-${doc.meta.id}.docx`);
        writeFileSync(f, docx);
        return f;
      })(),
    });
  }
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;

// Cold CLI: a full bid (every document, .docx and .pdf) from a fresh process.
const cold = [];
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
for (const c of cases.slice(0, 3)) {
  const times = [];
  let rss = 0;
  for (let i = 0; i < COLD_RUNS; i++) {
    const out = path.join(tmp, `cold-${i}`);
    const args = [
      path.join(ROOT, 'bin/tenderkit.js'),
      'build',
      c.file,
      '--out',
      out,
      '--format',
      'docx,pdf',
    ];
    const t = performance.now();
    const r = timeBin
      ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...args], { encoding: 'utf8' })
      : spawnSync(process.execPath, args, { encoding: 'utf8' });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`CLI build failed: ${r.stderr}`);
    if (timeBin) rss = Math.max(rss, Number(r.stderr.trim().split('\n').pop()) / 1024);
    rmSync(out, { recursive: true, force: true });
  }
  cold.push({ example: c.name, ms: stats(times), peakRssMb: rss || null });
}

// LibreOffice converting the same .docx files, one process per conversion (how such tools run it).
const soffice = ['soffice', 'libreoffice'].find((b) => spawnSync('which', [b]).status === 0);
const lo = [];
if (soffice) {
  for (const r of rows.filter(
    (x) => x.document === '售后服务承诺书' || x.example.startsWith('large'),
  )) {
    const times = [];
    for (let i = 0; i < SOFFICE_RUNS; i++) {
      const outDir = path.join(tmp, `lo-${i}`);
      const t = performance.now();
      execFileSync(soffice, ['--headless', '--convert-to', 'pdf', '--outdir', outDir, r.docxFile], {
        stdio: 'ignore',
      });
      times.push(performance.now() - t);
    }
    const s = stats(times);
    lo.push({ example: r.example, document: r.document, ms: s, ratio: s.median / r.pdf.median });
  }
}

const f = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
console.log(
  '\nWarm, one process (ms): median (min–max) over',
  RUNS,
  'runs after',
  WARMUP,
  'warm-up runs',
);
console.log('| example | document | pages | docx | pdf |');
console.log('|---|---|--:|--:|--:|');
for (const r of rows)
  console.log(
    `| ${r.example} | ${r.document} | ${r.pages} | ${f(r.docx.median)} (${f(r.docx.min)}–${f(r.docx.max)}) | ${f(r.pdf.median)} (${f(r.pdf.min)}–${f(r.pdf.max)}) |`,
  );
console.log(`\nPeak RSS of the benchmark process: ${peakRssMb.toFixed(0)} MB`);
console.log('\nCold CLI, full bid (every document, .docx + .pdf), median over', COLD_RUNS, 'runs');
console.log('| example | median ms | min–max | peak RSS MB |');
console.log('|---|--:|--:|--:|');
for (const c of cold)
  console.log(
    `| ${c.example} | ${f(c.ms.median)} | ${f(c.ms.min)}–${f(c.ms.max)} | ${c.peakRssMb?.toFixed(0) ?? '—'} |`,
  );
if (lo.length) {
  console.log(
    '\nLibreOffice `soffice --headless --convert-to pdf` of the same .docx, median over',
    SOFFICE_RUNS,
    'runs',
  );
  console.log('| example | document | soffice ms | TenderKit PDF ms (warm) | ratio |');
  console.log('|---|---|--:|--:|--:|');
  for (const l of lo) {
    const ours = rows.find((r) => r.example === l.example && r.document === l.document).pdf.median;
    console.log(
      `| ${l.example} | ${l.document} | ${f(l.ms.median)} | ${f(ours)} | ${l.ratio.toFixed(1)}× |`,
    );
  }
} else
  console.log(
    '\nLibreOffice not installed: no comparison (apt-get install libreoffice-writer-nogui).',
  );

const large = rows.filter((r) => r.example.startsWith('large'));
const biggest = large.sort((a, b) => b.pages - a.pages)[0];
if (biggest.pages < 10)
  console.log(`(the largest generated document has only ${biggest.pages} pages)`);
const targets = [
  {
    target: `PDF of a ten-page document ≤ 100 ms warm (${biggest.document}, ${biggest.pages} pages)`,
    value: biggest.pdf.median,
    limit: 100,
  },
  {
    target: 'docx ≤ 15 ms warm (slowest document)',
    value: Math.max(...rows.map((r) => r.docx.median)),
    limit: 15,
  },
  {
    target: 'full bid ≤ 1.5 s cold from the CLI (slowest example)',
    value: Math.max(...cold.map((c) => c.ms.median)),
    limit: 1500,
  },
  ...(lo.length
    ? [
        {
          target: '≥ 10× faster than LibreOffice (smallest ratio)',
          value: Math.min(...lo.map((l) => l.ratio)),
          limit: 10,
          atLeast: true,
        },
      ]
    : []),
];
console.log('\nTargets');
for (const t of targets) {
  const ok = t.atLeast ? t.value >= t.limit : t.value <= t.limit;
  console.log(
    `${ok ? 'met   ' : 'MISSED'}  ${t.target}: ${t.atLeast ? `${t.value.toFixed(1)}×` : `${f(t.value)} ms`}`,
  );
}
const results = {
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? '',
    memGb: Math.round(os.totalmem() / 2 ** 30),
  },
  runs: { warm: RUNS, warmup: WARMUP, cold: COLD_RUNS, soffice: SOFFICE_RUNS },
  warm: rows.map((r) => ({ ...r, docxFile: undefined })),
  peakRssMb,
  cold,
  libreoffice: lo,
  targets,
};
writeFileSync(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
rmSync(tmp, { recursive: true, force: true });
