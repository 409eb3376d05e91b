// One pagination (issue 14): every example document's .docx, laid out by LibreOffice with the very
// fonts the PDF embeds (scripts/lo-render.mjs: a private fontconfig with only those fonts, a
// private profile), has as many pages as the PDF the CLI wrote; and the Word contents, a real TOC
// field pre-filled without needing an update, gives the PDF's page numbers. Every example is built
// through the real CLI; all .docx files are converted by one LibreOffice process.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDocx, soffice } from '../scripts/lo-render.mjs';
import { docxPart } from '../src/writers/docx/index.js';
import { ROOT, squash } from './helpers.js';

const bin = soffice();
if (!bin)
  console.warn(
    'pagination-parity: LibreOffice (soffice) is not installed — skipped (apt-get install libreoffice-writer-nogui fonts-noto-cjk)',
  );

/** Every example bid (tender requirement files are not bids). */
const EXAMPLES = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('-tender.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-parity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a process; its exit code and standard error. */
const run = (file: string, args: string[]) =>
  new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(file, args, { encoding: 'utf8' }, (err, _out, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
    );
  });

const pages = (pdf: string) =>
  Number(/^Pages:\s+(\d+)$/m.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
const text = (pdf: string, page: number) =>
  execFileSync('pdftotext', ['-layout', '-f', String(page), '-l', String(page), pdf, '-'], {
    encoding: 'utf8',
  });

/** Every document the CLI wrote: `example-title`, with its PDF and its .docx copied flat. */
const docs: { name: string; pdf: string; docx: string }[] = [];

describe.skipIf(!bin)('one pagination: .docx through LibreOffice vs the PDF', () => {
  beforeAll(async () => {
    const flat = path.join(tmp, 'docx');
    mkdirSync(flat, { recursive: true });
    // One CLI build per example, side by side.
    await Promise.all(
      EXAMPLES.map(async (example) => {
        const out = path.join(tmp, example);
        const r = await run(process.execPath, [
          path.join(ROOT, 'bin', 'tenderkit.js'),
          'build',
          path.join(ROOT, 'examples', `${example}.yaml`),
          '--out',
          out,
          '--format',
          'docx,pdf',
        ]);
        expect(r.code, r.stderr).toBe(0);
      }),
    );
    for (const example of EXAMPLES) {
      const out = path.join(tmp, example);
      for (const f of readdirSync(out).filter((f) => f.endsWith('.docx'))) {
        const name = `${example}-${f.replace(/\.docx$/, '')}`;
        const docx = path.join(flat, `${name}.docx`);
        copyFileSync(path.join(out, f), docx);
        docs.push({ name, docx, pdf: path.join(out, f.replace(/\.docx$/, '.pdf')) });
      }
    }
    const ms = renderDocx(
      docs.map((d) => d.docx),
      path.join(tmp, 'lo'),
      bin,
    );
    console.info(
      `pagination-parity: LibreOffice laid out ${docs.length} .docx files in ${Math.round(ms)} ms`,
    );
  }, 600_000);

  const lo = (name: string) => path.join(tmp, 'lo', `${name}.pdf`);

  it('covers every example document', () => {
    expect(docs.length).toBeGreaterThanOrEqual(EXAMPLES.length * 2);
    expect(docs.map((d) => d.name)).toContain('hospital-his-售后服务方案');
  });

  it('LibreOffice lays the .docx out with the PDF fonts only (no system substitutes)', () => {
    for (const d of docs) {
      const fonts = execFileSync('pdffonts', [lo(d.name)], { encoding: 'utf8' })
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, ''));
      expect(fonts.length, d.name).toBeGreaterThan(0);
      for (const f of fonts) expect(f, d.name).toMatch(/^(NotoSerifSC|NotoSansSC)-/);
    }
  });

  it('every .docx has as many pages as its PDF', () => {
    const counts = docs.map((d) => ({ name: d.name, pdf: pages(d.pdf), word: pages(lo(d.name)) }));
    expect(counts.filter((c) => c.pdf !== c.word)).toEqual([]);
  });

  it("the Word contents is a real TOC field carrying the PDF's page numbers, with dot leaders", () => {
    const withToc = docs.filter((d) => d.name.endsWith('售后服务方案'));
    expect(withToc.length).toBeGreaterThan(0);
    for (const d of withToc) {
      // The PDF's contents page, as printed: “一、服务原则与质量保证 …… 1”.
      const n = pages(d.pdf);
      const page = Array.from({ length: n }, (_, i) => text(d.pdf, i + 1)).find((t) =>
        squash(t).startsWith('目录'),
      );
      expect(page, d.name).toBeDefined();
      const printed = page!
        .split('\n')
        .map((l) => /^\s*(\S.*?)\s+(\d+)\s*$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [squash(m[1]!), Number(m[2])]);
      expect(printed.length, d.name).toBeGreaterThan(0);

      const buf = readFileSync(d.docx);
      const xml = docxPart(buf, 'word/document.xml');
      const sdt = /<w:sdt>[\s\S]*?<\/w:sdt>/.exec(xml)![0];
      // One field: begin, TOC instruction, separate … end, around the pre-filled entries.
      expect(sdt).toMatch(
        /<w:fldChar w:fldCharType="begin"\/><w:instrText[^>]*>TOC [^<]*<\/w:instrText><w:fldChar w:fldCharType="separate"\/>/,
      );
      expect(sdt).toContain('<w:fldChar w:fldCharType="end"/>');
      expect(sdt).not.toContain('w:dirty');
      const entries = [...sdt.matchAll(/<w:p>([\s\S]*?)<\/w:p>/g)]
        .map((p) => p[1]!)
        .filter((p) => p.includes('PAGEREF'));
      const words = entries.map((p) => {
        expect(p).toMatch(/<w:tab w:val="right" w:pos="\d+" w:leader="dot"\/>/);
        const anchor = /<w:hyperlink [^>]*w:anchor="(_Toc\d+)"/.exec(p)?.[1];
        expect(p).toContain(`PAGEREF ${anchor} \\h`);
        // The heading carries the bookmark the entry links to.
        expect(xml).toContain(`<w:bookmarkStart w:name="${anchor}"`);
        const runs = [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]!);
        return [squash(runs.slice(0, -1).join('')), Number(runs[runs.length - 1])];
      });
      expect(words, d.name).toEqual(printed);
      // Word is not asked to update fields on opening.
      expect(docxPart(buf, 'word/settings.xml')).not.toContain('updateFields');
    }
  });
});
