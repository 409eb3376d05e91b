// `npm run look`: every example document's pages as pictures, for a person to review before a
// release. Builds each example bid with the real CLI (Word and PDF), renders the PDF's pages with
// pdftoppm and the .docx's pages through LibreOffice (as Word-like software lays them out), and
// puts each document's pages side by side on one PNG contact sheet in out/look/, with an index.html
// that shows the PDF and the Word sheets of each document next to each other and their page counts.
//
// Needs pdftoppm (poppler-utils); LibreOffice (`soffice`) for the Word sheets, which are skipped
// with a note when it is missing. LibreOffice runs with a private profile, so an open LibreOffice
// window or another run does not interfere. Run `npm run build` first (`npm run look` does).
import { execFileSync, spawnSync } from 'node:child_process';
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
import { Resvg } from '@resvg/resvg-js';
import { label } from '../dist/figures/svg.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'out', 'look');
/** Resolution of the page pictures: 50 dpi shows the layout, not the letters. */
const DPI = 50;
const PER_ROW = 5;
const GAP = 16;
const TITLE_H = 34;
const CAPTION_H = 18;

function have(tool, args) {
  const r = spawnSync(tool, args, { stdio: 'ignore' });
  return !r.error;
}

if (!have('pdftoppm', ['-v'])) {
  console.error(
    '找不到 pdftoppm：请先安装 poppler-utils（Debian/Ubuntu：apt-get install poppler-utils）',
  );
  process.exit(1);
}
if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('找不到 dist/：请先运行 npm run build（npm run look 会自动运行）');
  process.exit(1);
}
const soffice = ['soffice', 'libreoffice'].find((t) => have(t, ['--version']));
if (!soffice)
  console.error('找不到 LibreOffice（soffice）：只生成 PDF 的版面图，不生成 Word 的版面图');

/** The example bids: every examples/*.yaml except tender requirement files. */
const examples = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('-tender.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const work = mkdtempSync(path.join(os.tmpdir(), 'tenderkit-look-'));
const profile = path.join(work, 'lo-profile');

/** Page pictures of a PDF, in order, as PNG buffers. */
function pagePngs(pdf, into) {
  mkdirSync(into, { recursive: true });
  execFileSync('pdftoppm', ['-r', String(DPI), '-png', pdf, path.join(into, 'p')]);
  return readdirSync(into)
    .filter((f) => f.endsWith('.png'))
    .sort((a, b) => Number(/(\d+)\.png$/.exec(a)[1]) - Number(/(\d+)\.png$/.exec(b)[1]))
    .map((f) => readFileSync(path.join(into, f)));
}

/** Width and height of a PNG from its header. */
const pngSize = (b) => ({ w: b.readUInt32BE(16), h: b.readUInt32BE(20) });

/** One PNG with every page side by side (rows of PER_ROW), a title above and page numbers below. */
function contactSheet(pages, title) {
  const { w, h } = pngSize(pages[0]);
  const cols = Math.min(PER_ROW, pages.length);
  const rows = Math.ceil(pages.length / cols);
  const W = GAP + cols * (w + GAP);
  const H = TITLE_H + rows * (h + CAPTION_H + GAP) + GAP;
  let body = `<rect width="${W}" height="${H}" fill="#d9dde3"/>`;
  body += label(GAP, 24, title, { size: 15, anchor: 'start', bold: true });
  pages.forEach((png, i) => {
    const x = GAP + (i % cols) * (w + GAP);
    const y = TITLE_H + Math.floor(i / cols) * (h + CAPTION_H + GAP);
    body += `<rect x="${x - 1}" y="${y - 1}" width="${w + 2}" height="${h + 2}" fill="#8a919c"/>`;
    body += `<image x="${x}" y="${y}" width="${w}" height="${h}" href="data:image/png;base64,${png.toString('base64')}"/>`;
    body += label(x + w / 2, y + h + 13, `第 ${i + 1} 页`, { size: 10 });
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${body}</svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng();
}

const rows = [];
for (const example of examples) {
  const dir = path.join(work, example);
  const build = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'tenderkit.js'),
      'build',
      path.join(ROOT, 'examples', `${example}.yaml`),
      '--out',
      dir,
      '--format',
      'docx,pdf',
    ],
    { encoding: 'utf8' },
  );
  if (build.status !== 0) {
    console.error(`${example}：构建失败\n${build.stderr}`);
    process.exitCode = 1;
    continue;
  }
  const titles = readdirSync(dir)
    .filter((f) => f.endsWith('.pdf'))
    .map((f) => f.replace(/\.pdf$/, ''))
    .sort();
  if (soffice) {
    const docx = titles.map((t) => path.join(dir, `${t}.docx`));
    const r = spawnSync(
      soffice,
      [
        `-env:UserInstallation=file://${profile}`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        path.join(dir, 'word'),
        ...docx,
      ],
      { encoding: 'utf8', timeout: 300_000 },
    );
    if (r.status !== 0) console.error(`${example}：LibreOffice 转换失败\n${r.stderr}`);
  }
  for (const title of titles) {
    const pdfPages = pagePngs(path.join(dir, `${title}.pdf`), path.join(dir, 'png', title, 'pdf'));
    const pdfSheet = `${example}-${title}-pdf.png`;
    writeFileSync(
      path.join(OUT, pdfSheet),
      contactSheet(pdfPages, `${example} · ${title} · PDF（${pdfPages.length} 页）`),
    );
    const row = { example, title, pdf: pdfPages.length, pdfSheet, word: null, wordSheet: null };
    const wordPdf = path.join(dir, 'word', `${title}.pdf`);
    if (soffice && existsSync(wordPdf)) {
      const wordPages = pagePngs(wordPdf, path.join(dir, 'png', title, 'word'));
      row.word = wordPages.length;
      row.wordSheet = `${example}-${title}-word.png`;
      writeFileSync(
        path.join(OUT, row.wordSheet),
        contactSheet(
          wordPages,
          `${example} · ${title} · Word（LibreOffice 排版，${wordPages.length} 页）`,
        ),
      );
    }
    rows.push(row);
    const differs = row.word !== null && row.word !== row.pdf ? '  ← 页数不同' : '';
    console.log(
      `${example}  ${title}  PDF ${row.pdf} 页${row.word === null ? '' : `  Word ${row.word} 页`}${differs}`,
    );
  }
}
rmSync(work, { recursive: true, force: true });

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
writeFileSync(
  path.join(OUT, 'index.html'),
  `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>TenderKit 版面检查</title>
<style>body{font-family:sans-serif;margin:16px;background:#f1f3f5} h2{margin:24px 0 6px} .pair{display:flex;gap:12px;align-items:flex-start;flex-wrap:wrap} img{max-width:100%;border:1px solid #aaa} .warn{color:#b91c1c}</style>
</head><body>
<h1>TenderKit 版面检查</h1>
<p>每份示例文件的 PDF 页面（左）和 Word 文件经 LibreOffice 排版后的页面（右），${DPI} dpi。</p>
${rows
  .map(
    (r) => `<h2>${esc(r.example)} · ${esc(r.title)}</h2>
<p>PDF ${r.pdf} 页${r.word === null ? '' : `，Word ${r.word} 页`}${r.word !== null && r.word !== r.pdf ? ' <span class="warn">页数不同</span>' : ''}</p>
<div class="pair"><img src="${esc(encodeURIComponent(r.pdfSheet))}" alt="PDF">${r.wordSheet ? `<img src="${esc(encodeURIComponent(r.wordSheet))}" alt="Word">` : ''}</div>`,
  )
  .join('\n')}
</body></html>
`,
);
console.log(`\n版面图已写入 ${path.relative(process.cwd(), OUT) || OUT}（打开 index.html 查看）`);
