// House style (`style:` in tenderkit.yaml): one setting means the same in .docx, PDF and HTML, the
// glyph check uses the chosen PDF font, and bad settings are located in tenderkit.yaml.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBid, renderChecked, type BuiltFile } from '../src/build.js';
import { main } from '../src/cli/main.js';
import { TenderKitError, type Diagnostic } from '../src/diagnostics/diagnostic.js';
import type { HouseStyle } from '../src/ir/types.js';
import { docxPart } from '../src/writers/docx/index.js';
import { openWorkspace } from '../src/workspace/workspace.js';
import { houseStyleSchema, parseFontSize } from '../src/workspace/style.js';
import { parse } from 'yaml';
import { pdfWriter } from '../src/writers/pdf/index.js';
import { bidFromText, pdfPages, prepareExample, ROOT, squash } from './helpers.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'style');
const FONT_FILE = 'wqy-microhei-subset.ttf';
const mm = (n: number) => (n * 72) / 25.4;

/** A workspace folder: tenderkit.yaml with `style`, the fixture font and logos, a library copy. */
function makeWorkspace(style: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-style-'));
  mkdirSync(path.join(dir, 'fonts'));
  mkdirSync(path.join(dir, 'images'));
  cpSync(path.join(FIXTURES, FONT_FILE), path.join(dir, 'fonts', FONT_FILE));
  cpSync(path.join(FIXTURES, 'logo.png'), path.join(dir, 'images', 'logo.png'));
  cpSync(path.join(FIXTURES, 'logo.svg'), path.join(dir, 'images', 'logo.svg'));
  for (const sub of ['clauses', 'templates'])
    cpSync(path.join(ROOT, sub), path.join(dir, 'library', sub), { recursive: true });
  writeFileSync(path.join(dir, 'tenderkit.yaml'), `version: 1\nstyle:\n${style}`);
  return dir;
}

const STYLE = `  fonts:
    body:
      pdf: fonts/${FONT_FILE}
    heading:
      chinese: 黑体
      latin: Arial
      pdf: fonts/${FONT_FILE}
  sizes:
    body: 四号
    title: 初号
    heading1: 三号
    table: 五号
  lineSpacing: 28pt
  margins:
    top: 37mm
    bottom: 35mm
    left: 28mm
    right: 26mm
  header:
    text: 示例科技有限公司投标文件
    logo:
      file: images/logo.png
      width: 24mm
  footer: 第{page}页／共{pages}页
`;

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function withTemp(buf: Buffer, ext: string, f: (file: string) => string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-style-out-'));
  try {
    const file = path.join(dir, `x.${ext}`);
    writeFileSync(file, buf);
    return f(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Word {
  page: number;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  text: string;
}

/** Every word of a PDF with its box (`pdftotext -bbox`), in points from the page's top left. */
function pdfWords(buf: Buffer): { pages: { width: number; height: number }[]; words: Word[] } {
  const html = withTemp(buf, 'pdf', (f) =>
    execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }),
  );
  const pages: { width: number; height: number }[] = [];
  const words: Word[] = [];
  for (const p of html.split('<page ').slice(1)) {
    const size = /width="([\d.]+)" height="([\d.]+)"/.exec(p)!;
    pages.push({ width: Number(size[1]), height: Number(size[2]) });
    for (const w of p.matchAll(
      /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
    ))
      words.push({
        page: pages.length,
        xMin: Number(w[1]),
        yMin: Number(w[2]),
        xMax: Number(w[3]),
        yMax: Number(w[4]),
        text: w[5]!,
      });
  }
  return { pages, words };
}

describe('house style settings', () => {
  it('reads 字号 names and point sizes', () => {
    const pt = (v: unknown) => {
      const r = parseFontSize(v);
      return r.ok ? r.value : r.message;
    };
    expect([pt('初号'), pt('二号'), pt('三号'), pt('小三'), pt('四号'), pt('小四')]).toEqual([
      42, 22, 16, 15, 14, 12,
    ]);
    expect([pt('五号'), pt('小五'), pt('12pt'), pt('10.5pt')]).toEqual([10.5, 9, 12, 10.5]);
    expect(pt('大四')).toMatch(/不是字号/);
    expect(pt(12)).toMatch(/请写明单位/);
    expect(pt('10.3pt')).toMatch(/0\.5 的整数倍/);
  });
});

describe('a build in a workspace style', () => {
  let ws: string;
  let style: HouseStyle;
  let files: BuiltFile[];
  const file = (ext: string) => files.find((f) => f.fileName === `售后服务承诺书.${ext}`)!.bytes;

  beforeAll(async () => {
    ws = makeWorkspace(STYLE);
    tmp.push(ws);
    style = openWorkspace(ws).style!;
    const bid = prepareExample('hospital-his');
    files = await buildBid(bid.params, {
      extra: bid.extra,
      formats: ['docx', 'pdf', 'html'],
      only: ['commitment-letter'],
      style,
    });
  });

  it('resolves the workspace font to its real path and names it by its family', () => {
    const body = style.fonts.body;
    expect(body.pdf).toMatchObject({ kind: 'file', family: 'WenQuanYi Micro Hei' });
    expect(body.pdf.kind === 'file' && body.pdf.regular).toBe(
      path.join(openWorkspace(ws).root, 'fonts', FONT_FILE),
    );
    expect(body.chinese).toBe('WenQuanYi Micro Hei'); // from the font file
    expect(style.fonts.heading.chinese).toBe('黑体'); // as set
    expect(style.sizes).toMatchObject({ body: 14, heading1: 16, table: 10.5 });
    expect(style.lineSpacing).toEqual({ kind: 'exact', pt: 28 });
    // Serialisable: it travels to the PDF writer thread with the document.
    expect(JSON.parse(JSON.stringify(style))).toEqual(style);
  });

  it('embeds the workspace font in the PDF', () => {
    const fonts = withTemp(file('pdf'), 'pdf', (f) =>
      execFileSync('pdffonts', [f], { encoding: 'utf8' }),
    );
    const rows = fonts.split('\n').slice(2).filter(Boolean);
    expect(rows.length).toBeGreaterThan(0);
    // Body and headings both use the workspace font; the built-in Noto fonts are not used.
    for (const row of rows) {
      expect(row).toMatch(/^[A-Z]{6}\+WenQuanYiMicroHei\s/);
      expect(row).toMatch(/\byes\s+yes\s+yes\b/);
    }
    expect(fonts).not.toMatch(/Noto/);
  });

  it('names the fonts in the .docx styles and font table, with sizes and spacing', () => {
    const styles = docxPart(file('docx'), 'word/styles.xml');
    const table = docxPart(file('docx'), 'word/fontTable.xml');
    // Body: the font file's family for Chinese text, Times New Roman for Latin (the default).
    expect(styles).toMatch(
      /<w:docDefaults>[\s\S]*<w:rFonts w:ascii="Times New Roman" w:eastAsia="WenQuanYi Micro Hei" w:hAnsi="Times New Roman"\/>[\s\S]*<w:sz w:val="28"\/>/,
    );
    // One pagination: exactly the PDF's line, and its 3 pt after a paragraph.
    expect(styles).toMatch(
      /<w:spacing w:after="60" w:before="0" w:line="560" w:lineRule="exact"\/>/,
    );
    // Headings as set; 三号 = 16 pt = 32 half points.
    expect(styles).toMatch(
      /w:styleId="Heading1"[\s\S]*?<w:rFonts w:ascii="Arial" w:eastAsia="黑体" w:hAnsi="Arial"\/>[\s\S]*?<w:sz w:val="32"\/>/,
    );
    expect(styles).toMatch(/w:styleId="TkTableText"[\s\S]*?<w:sz w:val="21"\/>/);
    for (const name of ['WenQuanYi Micro Hei', '黑体', 'Times New Roman', 'Arial'])
      expect(table).toContain(`<w:font w:name="${name}">`);
    expect(table).toMatch(/w:name="WenQuanYi Micro Hei"><w:charset w:val="86"\/>/);
  });

  it('sets the page margins in the .docx and the PDF alike', () => {
    const doc = docxPart(file('docx'), 'word/document.xml');
    const twip = (n: number) => Math.round(mm(n) * 20);
    expect(doc).toContain(
      `<w:pgMar w:top="${twip(37)}" w:right="${twip(26)}" w:bottom="${twip(35)}" w:left="${twip(28)}" w:header="680" w:footer="720" w:gutter="0"/>`,
    );
    const { pages, words } = pdfWords(file('pdf'));
    for (const p of pages) expect([p.width, p.height]).toEqual([595.28, 841.89]);
    // Body text (below the header's rule, above the footer) sits inside the margins.
    const body = words.filter((w) => w.yMin > mm(37) - 1 && w.yMax < 841.89 - mm(35) + 1);
    expect(body.length).toBeGreaterThan(50);
    expect(Math.min(...body.map((w) => w.xMin))).toBeCloseTo(mm(28), 0);
    expect(Math.max(...body.map((w) => w.xMax))).toBeLessThanOrEqual(595.28 - mm(26) + 0.5);
    const firstLine = Math.min(...body.filter((w) => w.page === 1).map((w) => w.yMin));
    expect(firstLine).toBeGreaterThanOrEqual(mm(37) - 0.5);
    expect(firstLine).toBeLessThan(mm(37) + 30);
  });

  it('sets exact line spacing and the body size in the PDF', () => {
    const { words } = pdfWords(file('pdf'));
    // Lines of body text inside one paragraph are 28 pt apart; body glyphs are 14 pt text.
    const lines = [...new Set(words.filter((w) => w.page === 1).map((w) => w.yMin))].sort(
      (a, b) => a - b,
    );
    const steps = lines.slice(1).map((y, i) => Math.round((y - lines[i]!) * 10) / 10);
    expect(steps.filter((s) => Math.abs(s - 28) < 0.2).length).toBeGreaterThan(5);
    const letter = words.find((w) => w.page === 1 && w.text.includes('我方'))!;
    // WenQuanYi's ascent + descent is 2401/2048 of the em.
    expect(letter.yMax - letter.yMin).toBeCloseTo((14 * 2401) / 2048, 0);
  });

  it('puts the header text and logo on every page of the PDF and in the .docx header', () => {
    const pages = pdfPages(file('pdf'));
    expect(pages.length).toBeGreaterThan(1);
    for (const [i, p] of pages.entries()) {
      expect(squash(p)).toContain('示例科技有限公司投标文件');
      expect(squash(p)).toContain(`第${i + 1}页／共${pages.length}页`);
    }
    const { words } = pdfWords(file('pdf'));
    const head = words.filter((w) => w.text.includes('示例科技'));
    for (const w of head) expect(w.yMax).toBeLessThan(mm(37));
    const images = withTemp(file('pdf'), 'pdf', (f) =>
      execFileSync('pdfimages', ['-list', f], { encoding: 'utf8' }),
    )
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((l) => l.trim().split(/\s+/))
      .filter((cols) => cols[2] === 'image'); // not the PNG's alpha channel (smask)
    expect(images.map((cols) => Number(cols[0]))).toEqual(pages.map((_, i) => i + 1));
    for (const cols of images) expect(cols.slice(3, 5)).toEqual(['240', '80']); // the logo's pixels
    const docx = file('docx');
    const rels = docxPart(docx, 'word/_rels/document.xml.rels');
    const headerPart = /Target="(header\d+\.xml)"/.exec(rels)![1]!;
    const header = docxPart(docx, `word/${headerPart}`);
    expect(header).toContain('示例科技有限公司投标文件');
    expect(header).toMatch(/<a:blip r:embed="[^"]+"/);
    // 24 mm × 8 mm (36 000 EMU per mm), to the whole pixel docx measures in (9 525 EMU).
    const [, cx, cy] = /<wp:extent cx="(\d+)" cy="(\d+)"\/>/.exec(header)!.map(Number);
    expect(Math.abs(cx! - 24 * 36000)).toBeLessThanOrEqual(9525);
    expect(Math.abs(cy! - 8 * 36000)).toBeLessThanOrEqual(9525);
    expect(docxPart(docx, `word/_rels/${headerPart}.rels`)).toMatch(/Target="media\/[^"]+\.png"/);
    const footer = docxPart(docx, `word/${/Target="(footer\d+\.xml)"/.exec(rels)![1]!}`);
    expect(footer).toMatch(
      /第<\/w:t>[\s\S]*PAGE[\s\S]*页／共<\/w:t>[\s\S]*NUMPAGES[\s\S]*页<\/w:t>/,
    );
  });

  it('keeps a draft mark above the house header, in PDF and .docx', async () => {
    const [letter] = renderChecked(prepareExample('hospital-his').params, { style });
    const draft = { ...letter!, meta: { ...letter!.meta, draft: true } };
    const { words } = pdfWords(await pdfWriter.write(draft));
    const page1 = words.filter((w) => w.page === 1);
    const mark = page1.find((w) => w.text === 'DRAFT')!;
    const head = page1.find((w) => w.text.includes('示例科技'))!;
    expect(mark.yMax).toBeLessThanOrEqual(head.yMin);
    expect(head.yMax).toBeLessThan(mm(37));
    const { docxWriter } = await import('../src/writers/docx/index.js');
    const header = docxPart(await docxWriter.write(draft), 'word/header1.xml');
    expect(header.indexOf('草稿 / DRAFT')).toBeGreaterThan(0);
    expect(header.indexOf('草稿 / DRAFT')).toBeLessThan(header.indexOf('示例科技有限公司投标文件'));
  });

  it('gives the HTML the same sizes, margins, fonts, header and footer', () => {
    const html = file('html').toString('utf8');
    expect(html).toContain(
      `.tk-page { font-size: 14pt; line-height: 28pt; padding: ${+mm(37).toFixed(3)}pt ${+mm(26).toFixed(3)}pt ${+mm(35).toFixed(3)}pt ${+mm(28).toFixed(3)}pt; }`,
    );
    expect(html).toContain('.tk-page h2 { font-size: 16pt; }');
    expect(html).toMatch(
      /body, \.tk-page \{ font-family: "Times New Roman", "WenQuanYi Micro Hei", "Noto Serif SC"/,
    );
    expect(html).toMatch(
      /<header class="tk-header"><img [^>]*src="data:image\/png;base64,[A-Za-z0-9+/=]+"><span class="tk-header-text">示例科技有限公司投标文件<\/span><\/header>/,
    );
    expect(html).toContain(
      '@bottom-center { content: "第" counter(page) "页／共" counter(pages) "页"; font-size: 9pt; }',
    );
  });
});

describe('the glyph check uses the PDF font of the style', () => {
  it('reports a character the workspace font lacks, at the bid field', async () => {
    const ws = makeWorkspace(STYLE);
    tmp.push(ws);
    const style = openWorkspace(ws).style!;
    const bid = bidFromText(
      'version: 2\ntenderee: { name: 某某医院 }\nbidder: { name: 某某公司 }\nproject: { name: 龘龘系统建设项目 }\nsignature: { signer: 张三, date: 2026-01-05 }\n',
    );
    // The built-in font has 龘; the workspace font does not.
    await expect(buildBid(bid, { formats: ['pdf'] })).resolves.toBeDefined();
    const e = await buildBid(bid, { formats: ['pdf'], style }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TenderKitError);
    const missing = (e as TenderKitError).diagnostics.filter((d) => d.name === 'MissingGlyph');
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.every((d) => d.path === 'project.name')).toBe(true);
    expect(missing[0]!.message).toContain(
      '“龘”（U+9F98）在 PDF 字体 WenQuanYi Micro Hei 中没有字形',
    );
  });
});

describe('bad style settings are located in tenderkit.yaml', () => {
  const problems = (style: string, setup?: (dir: string) => void): Diagnostic[] => {
    const ws = makeWorkspace(style);
    tmp.push(ws);
    setup?.(ws);
    try {
      openWorkspace(ws);
    } catch (e) {
      if (e instanceof TenderKitError) return [...e.diagnostics];
      throw e;
    }
    return [];
  };
  const one = (style: string, setup?: (dir: string) => void) => {
    const found = problems(style, setup);
    expect(found).toHaveLength(1);
    const d = found[0]!;
    expect(path.basename(d.location!.file)).toBe('tenderkit.yaml');
    return { ...d, at: `${d.location!.line}:${d.location!.col}` };
  };

  it('an unknown 字号', () => {
    const d = one('  sizes:\n    body: 大四\n');
    expect(d.at).toBe('4:11');
    expect(d.path).toBe('style.sizes.body');
    expect(d.message).toContain('“大四”不是字号');
  });

  it('a negative margin', () => {
    const d = one('  margins:\n    left: -5mm\n');
    expect(d.at).toBe('4:11');
    expect(d.message).toContain('页边距不能为负数');
  });

  it('a missing font file', () => {
    const d = one('  fonts:\n    body:\n      pdf: fonts/仿宋.ttf\n');
    expect(d.at).toBe('5:12');
    expect(d.path).toBe('style.fonts.body.pdf');
    expect(d.message).toContain('找不到文件“fonts/仿宋.ttf”');
  });

  it('a font path that leaves the workspace with ..', () => {
    const d = one(`  fonts:\n    heading:\n      pdf: ../${FONT_FILE}\n`, (dir) =>
      cpSync(path.join(FIXTURES, FONT_FILE), path.join(path.dirname(dir), FONT_FILE)),
    );
    expect(d.at).toBe('5:12');
    expect(d.message).toContain('在工作区文件夹之外');
  });

  it('a font symlink that points out of the workspace', () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'tk-style-outside-'));
    tmp.push(outside);
    cpSync(path.join(FIXTURES, FONT_FILE), path.join(outside, 'x.ttf'));
    const d = one('  fonts:\n    body:\n      pdf: fonts/link.ttf\n', (dir) =>
      symlinkSync(path.join(outside, 'x.ttf'), path.join(dir, 'fonts', 'link.ttf')),
    );
    expect(d.at).toBe('5:12');
    expect(d.message).toContain('指向工作区之外的链接');
  });

  it('a symlinked folder out of the workspace', () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'tk-style-outside-'));
    tmp.push(outside);
    cpSync(path.join(FIXTURES, 'logo.png'), path.join(outside, 'logo.png'));
    const d = one('  header:\n    logo:\n      file: shared/logo.png\n', (dir) =>
      symlinkSync(outside, path.join(dir, 'shared')),
    );
    expect(d.at).toBe('5:13');
    expect(d.path).toBe('style.header.logo.file');
    expect(d.message).toContain('指向工作区之外的链接');
  });

  it('a footer that is a template, or names another placeholder', () => {
    const t = one('  footer: "第 {{ page }} 页"\n');
    expect(t.at).toBe('3:11');
    expect(t.message).toContain('不是模板');
    const u = one('  footer: 第 {page} 页，共 {total} 页\n');
    expect(u.message).toContain('“{total}”不是可用的占位符');
  });

  it('a bottom margin with no room for the footer', () => {
    const d = one('  margins: 10mm\n');
    expect(d.at).toBe('3:12');
    expect(d.path).toBe('style.margins');
    expect(d.message).toContain('下边距过小，放不下页脚');
  });

  it('a file that is not a font, and an unsafe SVG logo', () => {
    const f = one('  fonts:\n    body:\n      pdf: images/logo.ttf\n', (dir) =>
      cpSync(path.join(FIXTURES, 'logo.png'), path.join(dir, 'images', 'logo.ttf')),
    );
    expect(f.message).toContain('不是 TrueType 或 OpenType 字体文件');
    const s = one('  header:\n    logo:\n      file: images/bad.svg\n', (dir) =>
      writeFileSync(
        path.join(dir, 'images', 'bad.svg'),
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="file:///etc/passwd"/></svg>',
      ),
    );
    expect(s.message).toContain('不能用作徽标');
  });

  it('several problems at once, each at its own setting', () => {
    const found = problems(
      '  sizes:\n    body: 大四\n  fonts:\n    body:\n      pdf: fonts/none.ttf\n  header:\n    logo:\n      file: images/none.png\n',
    );
    // Schema problems come first: the files are checked once the values are valid.
    expect(found.map((d) => d.path)).toEqual(['style.sizes.body']);
    const files = problems(
      '  fonts:\n    body:\n      pdf: fonts/none.ttf\n  header:\n    logo:\n      file: images/none.png\n',
    );
    expect(files.map((d) => [d.path, `${d.location!.line}:${d.location!.col}`])).toEqual([
      ['style.fonts.body.pdf', '5:12'],
      ['style.header.logo.file', '8:13'],
    ]);
  });
});

describe('the README example', () => {
  it('is a valid style setting', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### House style'));
    const block = section.slice(section.indexOf('```yaml') + 7, section.indexOf('```\n', 10));
    const r = houseStyleSchema().safeParse((parse(block) as { style: unknown }).style);
    expect(r.error?.issues ?? []).toEqual([]);
    expect(r.data!.sizes).toMatchObject({ body: 16, title: 22, heading1: 16, table: 14 });
  });
});

describe('the header and footer text of the style', () => {
  it('are checked against the PDF font too', async () => {
    const ws = makeWorkspace(STYLE.replace('示例科技有限公司投标文件', '龘龘科技'));
    tmp.push(ws);
    const style = openWorkspace(ws).style!;
    const bid = prepareExample('hospital-his');
    const e = await buildBid(bid.params, {
      extra: bid.extra,
      formats: ['pdf'],
      only: ['commitment-letter'],
      style,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TenderKitError);
    expect((e as TenderKitError).diagnostics.map((d) => d.message)).toContain(
      '字符“龘”（U+9F98）在 PDF 字体 WenQuanYi Micro Hei 中没有字形（出现在tenderkit.yaml 的页眉文字 style.header.text）',
    );
  });
});

describe('the PDF writer thread', () => {
  it('registers the workspace font itself and writes the same bytes', async () => {
    const ws = makeWorkspace(STYLE);
    tmp.push(ws);
    const style = openWorkspace(ws).style!;
    const bid = prepareExample('hospital-his');
    const [letter] = renderChecked(bid.params, { extra: bid.extra, style });
    expect(letter!.meta.style).toEqual(style);
    // The compiled worker (dist/, rebuilt by `npx tsc -p tsconfig.build.json`).
    const { WriterThread } = await import('../src/writers/thread.js');
    const thread = new WriterThread(['pdf']);
    try {
      const remote = (await thread.write('pdf', letter!).bytes)!;
      const local = await pdfWriter.write(letter!);
      expect(remote.equals(local)).toBe(true);
      const fonts = withTemp(remote, 'pdf', (f) =>
        execFileSync('pdffonts', [f], { encoding: 'utf8' }),
      );
      expect(fonts).toMatch(/\+WenQuanYiMicroHei\s/);
    } finally {
      await thread.close();
    }
  });
});

describe('a workspace with a house style, through the CLI', () => {
  const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
  const run = (cwd: string, ...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, TENDERKIT_THREADS: '1' }, // PDFs on the writer thread
    });
  let ws: string;

  beforeAll(() => {
    ws = makeWorkspace(STYLE.replace('images/logo.png', 'images/logo.svg'));
    tmp.push(ws);
    mkdirSync(path.join(ws, 'bids'));
    writeFileSync(
      path.join(ws, 'bids', 'bid.yaml'),
      readFileSync(path.join(ROOT, 'examples', 'minimal.yaml'), 'utf8'),
    );
  });

  it('builds with the workspace font, sizes, header and footer', () => {
    const r = run(ws, 'build', 'bids/bid.yaml', '--out', 'out', '--format', 'docx,pdf,html');
    expect(r.stderr).not.toMatch(/错误|Error/);
    expect(r.status).toBe(0);
    const pdf = readFileSync(path.join(ws, 'out', '售后服务承诺书.pdf'));
    const fonts = withTemp(pdf, 'pdf', (f) => execFileSync('pdffonts', [f], { encoding: 'utf8' }));
    expect(fonts).toMatch(/\+WenQuanYiMicroHei\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    const pages = pdfPages(pdf);
    expect(squash(pages[0]!)).toContain('示例科技有限公司投标文件');
    expect(squash(pages[0]!)).toContain(`第1页／共${pages.length}页`);
    const docx = readFileSync(path.join(ws, 'out', '售后服务承诺书.docx'));
    const styles = docxPart(docx, 'word/styles.xml');
    expect(styles).toContain('w:eastAsia="WenQuanYi Micro Hei"');
    // Body lines exactly 28 pt; the 初号 (42 pt) title gets 1.2 × 42 pt instead of being clipped.
    expect(styles).toMatch(
      /<w:docDefaults>[\s\S]*<w:spacing w:after="60" w:before="0" w:line="560" w:lineRule="exact"\/>/,
    );
    expect(styles).toMatch(
      /w:styleId="Title"[\s\S]*?<w:spacing w:after="360" w:before="0" w:line="1008" w:lineRule="exact"\/>/,
    );
    const html = readFileSync(path.join(ws, 'out', '售后服务承诺书.html'), 'utf8');
    expect(html).toContain('.tk-title { font-size: 42pt; }');
    expect(html).toMatch(/<header class="tk-header"><img [^>]*src="data:image\/svg\+xml;base64,/);
    expect(html).toContain('content: "第" counter(page) "页／共" counter(pages) "页"');
    expect(docxPart(docx, 'word/fontTable.xml')).toContain('<w:font w:name="WenQuanYi Micro Hei">');
    expect(docxPart(docx, 'word/document.xml')).toMatch(/<w:pgMar w:top="2098" /);
    // The SVG logo, with a PNG for readers without SVG support.
    expect(docxPart(docx, 'word/header1.xml')).toMatch(/<asvg:svgBlip [^>]*r:embed=/);
    // Provenance records the style's files.
    const manifest = JSON.parse(readFileSync(path.join(ws, 'out', 'manifest.json'), 'utf8'));
    expect(JSON.stringify(manifest)).toContain(`fonts/${FONT_FILE}`);
  });

  it('lint reports a character the workspace font lacks, at the bid field', () => {
    writeFileSync(
      path.join(ws, 'bids', 'rare.yaml'),
      'version: 2\ntenderee:\n  name: 某某医院\nbidder:\n  name: 某某公司\nproject:\n  name: 龘龘系统建设项目\nsignature:\n  signer: 张三\n  date: 2026-01-05\n',
    );
    const r = run(ws, 'lint', 'bids/rare.yaml');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /bids\/rare\.yaml:7:9 project\.name(（项目名称）)?：字符“龘”（U\+9F98）在 PDF 字体 WenQuanYi Micro Hei 中没有字形/,
    );
  });

  it('explain checks glyphs against the workspace font too', () => {
    const r = run(ws, 'explain', 'bids/rare.yaml');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bids\/rare\.yaml:7:9 project\.name.*“龘”.*WenQuanYi Micro Hei/);
  });

  it('verify re-checks the style files the build used', () => {
    expect(run(ws, 'verify', 'out').status).toBe(0);
    const font = path.join(ws, 'fonts', FONT_FILE);
    const bytes = readFileSync(font);
    try {
      writeFileSync(font, Buffer.concat([bytes, Buffer.from([0])]));
      const r = run(ws, 'verify', 'out');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(FONT_FILE);
    } finally {
      writeFileSync(font, bytes);
    }
  });

  it('with only default values, lays documents out as without a workspace', async () => {
    const plain = makeWorkspace(
      '  sizes:\n    body: 小四\n  margins: { top: 2.54cm, bottom: 25.4mm }\n',
    );
    tmp.push(plain);
    cpSync(path.join(ROOT, 'examples', 'minimal.yaml'), path.join(plain, 'bid.yaml'));
    const outside = mkdtempSync(path.join(os.tmpdir(), 'tk-style-none-'));
    tmp.push(outside);
    cpSync(path.join(ROOT, 'examples', 'minimal.yaml'), path.join(outside, 'bid.yaml'));
    // The CLI's own build (`main`) in this process: the layout is the point here, and the build
    // through the real process is checked above.
    const built = async (dir: string) => {
      const args = ['build', path.join(dir, 'bid.yaml'), '--out', path.join(dir, 'out')];
      const code = await main([...args, '--format', 'docx,pdf,html'], {
        out: () => {},
        err: () => {},
      });
      expect(code).toBe(0);
      const f = (ext: string) => readFileSync(path.join(dir, 'out', `售后服务承诺书.${ext}`));
      return {
        styles: docxPart(f('docx'), 'word/styles.xml'),
        document: docxPart(f('docx'), 'word/document.xml'),
        fontTable: docxPart(f('docx'), 'word/fontTable.xml'),
        pdf: pdfWords(f('pdf')),
        css: /<style>[\s\S]*<\/style>/.exec(f('html').toString('utf8'))![0],
      };
    };
    expect(await built(plain)).toEqual(await built(outside));
  });

  it('refuses style files outside the workspace and a logo taller than the top margin', () => {
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'tk-style-outside-'));
    tmp.push(elsewhere);
    cpSync(path.join(FIXTURES, FONT_FILE), path.join(elsewhere, 'x.ttf'));
    const bad = makeWorkspace(
      '  fonts:\n    body:\n      pdf: fonts/link.ttf\n    heading:\n      pdf: ../x.ttf\n  header:\n    logo: { file: images/logo.png, width: 60mm }\n',
    );
    tmp.push(bad);
    symlinkSync(path.join(elsewhere, 'x.ttf'), path.join(bad, 'fonts', 'link.ttf'));
    cpSync(path.join(ROOT, 'examples', 'minimal.yaml'), path.join(bad, 'bid.yaml'));
    const r = run(bad, 'build', 'bid.yaml', '--out', 'out');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tenderkit\.yaml:5:12 style\.fonts\.body\.pdf.*指向工作区之外的链接/);
    expect(r.stderr).toMatch(/tenderkit\.yaml:7:12 style\.fonts\.heading\.pdf.*在工作区文件夹之外/);
    expect(r.stderr).toMatch(/tenderkit\.yaml:9:43 style\.header\.logo\.width.*超过页眉可用高度/);
    expect(existsSync(path.join(bad, 'out'))).toBe(false);
  });

  it('a bad setting is an error located in tenderkit.yaml', () => {
    const bad = makeWorkspace('  sizes:\n    body: 大四\n  footer: "第 {{ page }} 页"\n');
    tmp.push(bad);
    mkdirSync(path.join(bad, 'bids'));
    cpSync(path.join(ROOT, 'examples', 'minimal.yaml'), path.join(bad, 'bids', 'bid.yaml'));
    const r = run(bad, 'build', 'bids/bid.yaml', '--out', 'out');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tenderkit\.yaml:4:11 style\.sizes\.body（正文字号）：“大四”不是字号/);
    expect(r.stderr).toMatch(
      /tenderkit\.yaml:5:11 style\.footer（页脚格式）：页脚格式只是文字，不是模板/,
    );
  });
});
