// Renders .docx files to PDF with LibreOffice as a Word-like reader would lay them out, but with the
// very fonts the PDF writer embeds (Noto Serif SC for 宋体 and Times New Roman, Noto Sans SC for
// 黑体 and Arial): LibreOffice gets a private fontconfig that knows only those four font files and
// maps the names the .docx uses onto them, and a private profile. Page breaks of the result can
// then be compared with the PDF's (test/pagination-parity.test.ts).
//
//   node scripts/lo-render.mjs --outdir DIR a.docx b.docx …   (one LibreOffice process for all)
//
// Exports `renderDocx(files, outdir)` and `loFonts()` for tests. Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FONT_FILES } from '../dist/fonts/files.js';

/** Family names of the PDF's fonts, as fontconfig reads them from the files. */
export const SERIF = 'Noto Serif SC';
export const SANS = 'Noto Sans S Chinese';

/** Names a .docx may ask for, and the PDF font that stands for each. */
const ALIASES = [
  ['宋体', SERIF],
  ['SimSun', SERIF],
  ['NSimSun', SERIF],
  ['新宋体', SERIF],
  ['Times New Roman', SERIF],
  ['serif', SERIF],
  ['黑体', SANS],
  ['SimHei', SANS],
  ['Arial', SANS],
  ['sans-serif', SANS],
  ['monospace', SANS],
];

/** The LibreOffice binary, or undefined when it is not installed. */
export function soffice() {
  for (const bin of ['soffice', 'libreoffice']) {
    const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
    if (!r.error && r.status === 0) return bin;
  }
  return undefined;
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * A fontconfig set-up in `dir` that sees only the PDF's four font files (linked into `dir/fonts`)
 * and maps every name a .docx uses onto them; anything else falls back to the body font.
 */
export function loFonts(dir) {
  const fonts = path.join(dir, 'fonts');
  mkdirSync(fonts, { recursive: true });
  for (const file of Object.values(FONT_FILES))
    symlinkSync(file, path.join(fonts, path.basename(file)));
  const rule = (from, to) =>
    `<match target="pattern"><test name="family" qual="any"><string>${esc(from)}</string></test>` +
    `<edit name="family" mode="assign" binding="strong"><string>${esc(to)}</string></edit></match>`;
  const conf = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
<dir>${esc(fonts)}</dir>
<cachedir>${esc(path.join(dir, 'cache'))}</cachedir>
${ALIASES.map(([a, b]) => rule(a, b)).join('\n')}
<match target="pattern"><edit name="family" mode="append" binding="weak"><string>${SERIF}</string></edit></match>
</fontconfig>
`;
  const file = path.join(dir, 'fonts.conf');
  writeFileSync(file, conf);
  return file;
}

/**
 * Converts every .docx in `files` to PDF in `outdir` with one LibreOffice process, using the PDF's
 * fonts (`a.docx` → `outdir/a.pdf`, so the names must differ). Returns the time it took, in ms.
 * Throws when LibreOffice fails.
 */
export function renderDocx(files, outdir, bin = soffice()) {
  if (!bin) throw new Error('LibreOffice (soffice) is not installed');
  const names = files.map((f) => path.basename(f));
  if (new Set(names).size !== names.length)
    throw new Error('the .docx files must have different names (one output folder for all)');
  const work = mkdtempSync(path.join(os.tmpdir(), 'tk-lo-'));
  try {
    const conf = loFonts(work);
    mkdirSync(outdir, { recursive: true });
    const started = performance.now();
    const r = spawnSync(
      bin,
      [
        `-env:UserInstallation=${pathToFileURL(path.join(work, 'profile')).href}`,
        '--headless',
        '--norestore',
        '--convert-to',
        'pdf',
        '--outdir',
        outdir,
        ...files,
      ],
      {
        encoding: 'utf8',
        timeout: 600_000,
        env: { ...process.env, FONTCONFIG_FILE: conf, SAL_USE_VCLPLUGIN: 'svp' },
      },
    );
    if (r.error || r.status !== 0)
      throw new Error(`LibreOffice failed (${r.error?.message ?? r.status}): ${r.stderr}`);
    return performance.now() - started;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  if (at < 0 || !args[at + 1] || args.length < 3) {
    console.error('用法：node scripts/lo-render.mjs --outdir 输出目录 文件.docx …');
    process.exit(2);
  }
  const outdir = args[at + 1];
  const files = args.filter((_, i) => i !== at && i !== at + 1);
  const ms = renderDocx(files, outdir);
  console.log(`${files.length} 个文件，LibreOffice 用时 ${Math.round(ms)} ms`);
}
