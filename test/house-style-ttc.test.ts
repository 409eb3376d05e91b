// A font collection (.ttc, as Windows ships 宋体 in simsun.ttc) as the house style's PDF font: the
// face named by `pdfFace` is the one every part uses — the glyph check, the PDF writer (on either
// thread), the .docx page estimate and the family names — and a collection without a face, or a
// face it lacks, is an error located in tenderkit.yaml. The collection is built at test time from
// two fonts of the repository (test/ttc.ts): Roboto first, then the WenQuanYi subset, so the face
// used is not simply the file's first.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenderKitError, type Diagnostic } from '../src/diagnostics/diagnostic.js';
import { glyphTest } from '../src/fonts/coverage.js';
import { parsedFontFile } from '../src/fonts/parsed.js';
import { fontTables, readSfntFile } from '../src/fonts/sfnt.js';
import { lineUnit } from '../src/writers/docx/pagination.js';
import { docxPart } from '../src/writers/docx/index.js';
import { openWorkspace } from '../src/workspace/workspace.js';
import { pdfPages, ROOT, squash } from './helpers.js';
import { makeTtc } from './ttc.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'style');
const WQY = readFileSync(path.join(FIXTURES, 'wqy-microhei-subset.ttf'));
const ROBOTO = readFileSync(
  path.join(ROOT, 'node_modules/pdfmake/fonts/Roboto/Roboto-Regular.ttf'),
);
const TTC = makeTtc([ROBOTO, WQY]);
const BIN = path.join(ROOT, 'bin', 'tenderkit.js');

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

/** A workspace with fonts/pair.ttc (Roboto, WenQuanYi), the subset .ttf and a library copy. */
function makeWorkspace(style: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-ttc-'));
  tmp.push(dir);
  mkdirSync(path.join(dir, 'fonts'));
  writeFileSync(path.join(dir, 'fonts', 'pair.ttc'), TTC);
  writeFileSync(path.join(dir, 'fonts', 'wqy.ttf'), WQY);
  for (const sub of ['clauses', 'templates'])
    cpSync(path.join(ROOT, sub), path.join(dir, 'library', sub), { recursive: true });
  writeFileSync(path.join(dir, 'tenderkit.yaml'), `version: 1\nstyle:\n${style}`);
  cpSync(path.join(ROOT, 'examples', 'minimal.yaml'), path.join(dir, 'bid.yaml'));
  return dir;
}

const run = (cwd: string, threads: string, ...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TENDERKIT_THREADS: threads },
  });

function tool(cmd: string, bytes: Buffer, ...args: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-ttc-out-'));
  try {
    const file = path.join(dir, 'x.pdf');
    writeFileSync(file, bytes);
    return execFileSync(cmd, [...args, file, ...(cmd === 'pdftotext' ? ['-'] : [])], {
      encoding: 'utf8',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The problems opening the workspace reports, each with its line:col in tenderkit.yaml. */
function problems(style: string): (Diagnostic & { at: string })[] {
  try {
    openWorkspace(makeWorkspace(style));
  } catch (e) {
    if (!(e instanceof TenderKitError)) throw e;
    return e.diagnostics.map((d) => {
      expect(path.basename(d.location!.file)).toBe('tenderkit.yaml');
      return { ...d, at: `${d.location!.line}:${d.location!.col}` };
    });
  }
  return [];
}

const BODY = (lines: string) => `  fonts:\n    body:\n${lines}`;

describe('reading a collection', () => {
  let file: string;
  beforeAll(() => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-ttc-read-'));
    tmp.push(dir);
    file = path.join(dir, 'pair.ttc');
    writeFileSync(file, TTC);
  });

  it('lists its faces with their names, and each face’s tables from the file’s start', () => {
    const f = readSfntFile(file);
    expect(f.collection).toBe(true);
    expect(f.faces.map((x) => [x.postscriptName, x.family, x.outlines])).toEqual([
      ['Roboto-Regular', 'Roboto', 'truetype'],
      ['WenQuanYiMicroHei', 'WenQuanYi Micro Hei', 'truetype'],
    ]);
    // The face's cmap, at its absolute offset, is the .ttf's own cmap.
    const cmap = fontTables(file, 1).get('cmap')!;
    const own = fontTables(path.join(FIXTURES, 'wqy-microhei-subset.ttf')).get('cmap')!;
    expect(TTC.subarray(cmap.offset, cmap.offset + cmap.length)).toEqual(
      WQY.subarray(own.offset, own.offset + own.length),
    );
    expect(readSfntFile(path.join(FIXTURES, 'wqy-microhei-subset.ttf')).collection).toBe(false);
  });

  it('answers the glyph check per face, as fontkit’s face does', () => {
    for (const face of [0, 1]) {
      const has = glyphTest(file, face);
      const font = parsedFontFile(file, face);
      expect(font.postscriptName).toBe(['Roboto-Regular', 'WenQuanYiMicroHei'][face]);
      const differ: number[] = [];
      for (let cp = 0; cp <= 0x10ffff; cp++)
        if (has(cp) !== font.hasGlyphForCodePoint(cp)) differ.push(cp);
      expect(differ).toEqual([]);
    }
    // 中 only in WenQuanYi; ř (U+0159) only in Roboto.
    expect([glyphTest(file, 0)(0x4e2d), glyphTest(file, 1)(0x4e2d)]).toEqual([false, true]);
    expect([glyphTest(file, 0)(0x159), glyphTest(file, 1)(0x159)]).toEqual([true, false]);
  });

  it('gives the .docx page estimate the chosen face’s line height', () => {
    const unit = (regular: string, regularFace?: number) =>
      lineUnit({
        kind: 'file',
        regular,
        bold: regular,
        ...(regularFace !== undefined ? { regularFace } : {}),
        family: 'x',
        postscriptName: 'x',
      });
    const wqy = unit(path.join(FIXTURES, 'wqy-microhei-subset.ttf'));
    const roboto = unit(path.join(ROOT, 'node_modules/pdfmake/fonts/Roboto/Roboto-Regular.ttf'));
    expect(wqy).not.toBe(roboto);
    expect([unit(file, 0), unit(file, 1)]).toEqual([roboto, wqy]);
  });
});

describe('choosing the face in tenderkit.yaml', () => {
  it('by PostScript name or family name, any letter case', () => {
    for (const face of ['WenQuanYiMicroHei', 'wenquanyi micro hei']) {
      const ws = makeWorkspace(BODY(`      pdf: fonts/pair.ttc\n      pdfFace: ${face}\n`));
      const body = openWorkspace(ws).style!.fonts.body;
      expect(body.pdf).toEqual({
        kind: 'file',
        regular: path.join(openWorkspace(ws).root, 'fonts', 'pair.ttc'),
        bold: path.join(openWorkspace(ws).root, 'fonts', 'pair.ttc'),
        regularFace: 1,
        boldFace: 1,
        family: 'WenQuanYi Micro Hei',
        postscriptName: 'WenQuanYiMicroHei',
      });
      expect(body.chinese).toBe('WenQuanYi Micro Hei'); // the face's family, for Word and HTML
    }
  });

  it('a bold face from the same collection, or from another file', () => {
    const same = openWorkspace(
      makeWorkspace(
        BODY(
          '      pdf: fonts/pair.ttc\n      pdfFace: WenQuanYiMicroHei\n      pdfBoldFace: Roboto\n',
        ),
      ),
    ).style!.fonts.body.pdf;
    expect(same).toMatchObject({ regularFace: 1, boldFace: 0, family: 'WenQuanYi Micro Hei' });
    const other = openWorkspace(
      makeWorkspace(
        BODY(
          '      pdf: fonts/wqy.ttf\n      pdfBold: fonts/pair.ttc\n      pdfBoldFace: Roboto-Regular\n',
        ),
      ),
    ).style!.fonts.body.pdf;
    expect(other).toMatchObject({ boldFace: 0 });
    expect(other).not.toHaveProperty('regularFace');
  });

  it('a collection without a face lists the faces it holds', () => {
    const [d, ...rest] = problems(BODY('      pdf: fonts/pair.ttc\n'));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      name: 'HouseStyleInvalid',
      path: 'style.fonts.body.pdf',
      at: '5:12',
    });
    expect(d!.message).toBe(
      '“fonts/pair.ttc”含有 2 个字体：Roboto-Regular（Roboto）、WenQuanYiMicroHei（WenQuanYi Micro Hei）；请用 pdfFace 指明使用哪一个',
    );
    const [b] = problems(BODY('      pdf: fonts/wqy.ttf\n      pdfBold: fonts/pair.ttc\n'));
    expect(b).toMatchObject({ path: 'style.fonts.body.pdfBold', at: '6:16' });
    expect(b!.message).toContain('请用 pdfBoldFace 指明使用哪一个');
  });

  it('a face the collection lacks, a face for a single font, a face for a built-in font', () => {
    const [lacks] = problems(BODY('      pdf: fonts/pair.ttc\n      pdfFace: SimSun\n'));
    expect(lacks).toMatchObject({ path: 'style.fonts.body.pdfFace', at: '6:16' });
    expect(lacks!.message).toBe(
      '“fonts/pair.ttc”中没有名为“SimSun”的字体：它含有 2 个字体：Roboto-Regular（Roboto）、WenQuanYiMicroHei（WenQuanYi Micro Hei）',
    );
    const [single] = problems(BODY('      pdf: fonts/wqy.ttf\n      pdfFace: WenQuanYiMicroHei\n'));
    expect(single).toMatchObject({ path: 'style.fonts.body.pdfFace', at: '6:16' });
    expect(single!.message).toBe(
      '“fonts/wqy.ttf”只含一个字体（WenQuanYiMicroHei（WenQuanYi Micro Hei）），不是字体集合（.ttc）：请删去 pdfFace',
    );
    const [builtin] = problems(BODY('      pdf: noto-sans-sc\n      pdfBoldFace: Roboto\n'));
    expect(builtin).toMatchObject({ path: 'style.fonts.body.pdfBoldFace', at: '6:20' });
    expect(builtin!.message).toContain('只有 PDF 字体是工作区中的字体集合文件（.ttc）时才能设置');
  });

  it('still refuses WOFF', () => {
    const ws = makeWorkspace('');
    writeFileSync(path.join(ws, 'fonts', 'web.ttc'), Buffer.concat([Buffer.from('wOFF'), WQY]));
    writeFileSync(
      path.join(ws, 'tenderkit.yaml'),
      `version: 1\nstyle:\n${BODY('      pdf: fonts/web.ttc\n')}`,
    );
    const e = (() => {
      try {
        openWorkspace(ws);
      } catch (x) {
        return x as TenderKitError;
      }
    })();
    expect(e?.diagnostics.map((d) => d.message)).toEqual([
      '“fonts/web.ttc”：这是网页字体（WOFF），请使用 .ttf、.otf 或 .ttc 文件',
    ]);
  });
});

describe('a collection’s face through the CLI', () => {
  const STYLE = `  fonts:
    body:
      pdf: fonts/pair.ttc
      pdfFace: WenQuanYiMicroHei
    heading:
      pdf: fonts/pair.ttc
      pdfFace: WenQuanYi Micro Hei
  header:
    text: 青溪信达科技有限公司投标文件
`;
  let ws: string;
  const out = (n: string) => path.join(ws, `out${n}`);
  const file = (n: string, ext: string) => readFileSync(path.join(out(n), `售后服务承诺书.${ext}`));

  beforeAll(() => {
    ws = makeWorkspace(STYLE);
    for (const threads of ['0', '1']) {
      const r = run(
        ws,
        threads,
        'build',
        'bid.yaml',
        '--out',
        `out${threads}`,
        '--format',
        'docx,pdf,html',
      );
      expect(r.stderr).not.toMatch(/错误|Error/);
      expect(r.status).toBe(0);
    }
  });

  it('embeds the chosen face only, and its text extracts', () => {
    const fonts = tool('pdffonts', file('1', 'pdf'));
    const rows = fonts.split('\n').slice(2).filter(Boolean);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect(row).toMatch(/^[A-Z]{6}\+WenQuanYiMicroHei\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).not.toMatch(/Roboto|Noto/);
    const pages = pdfPages(file('1', 'pdf'));
    const text = squash(pages.join(''));
    for (const s of [
      '青溪县人民政府办公室',
      '青溪信达科技有限公司',
      '青溪县政务办公系统运维服务项目',
    ])
      expect(text).toContain(s);
    expect(squash(pages[0]!)).toContain('青溪信达科技有限公司投标文件');
  });

  it('names the face’s family in the .docx and the HTML', () => {
    const docx = file('1', 'docx');
    expect(docxPart(docx, 'word/styles.xml')).toContain('w:eastAsia="WenQuanYi Micro Hei"');
    expect(docxPart(docx, 'word/fontTable.xml')).toContain('<w:font w:name="WenQuanYi Micro Hei">');
    expect(file('1', 'html').toString('utf8')).toContain('"WenQuanYi Micro Hei"');
  });

  it('writes the same bytes with the PDF on the writer thread or not', () => {
    const names = readdirSync(out('0'))
      .filter((n) => n !== 'manifest.json')
      .sort();
    expect(names.length).toBeGreaterThanOrEqual(3);
    expect(
      readdirSync(out('1'))
        .filter((n) => n !== 'manifest.json')
        .sort(),
    ).toEqual(names);
    for (const n of names)
      expect(
        readFileSync(path.join(out('0'), n)).equals(readFileSync(path.join(out('1'), n))),
        n,
      ).toBe(true);
  });

  it('records the collection in the manifest, and verify passes', () => {
    const manifest = readFileSync(path.join(out('1'), 'manifest.json'), 'utf8');
    expect(manifest).toContain('fonts/pair.ttc');
    const r = run(ws, '1', 'verify', 'out1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('checks glyphs against the chosen face’s own character map', () => {
    const bid = readFileSync(path.join(ws, 'bid.yaml'), 'utf8').replace(
      '青溪县政务办公系统运维服务项目',
      'Dvořák 系统运维服务项目',
    );
    writeFileSync(path.join(ws, 'rare.yaml'), bid);
    const r = run(ws, '0', 'lint', 'rare.yaml');
    expect(r.status).toBe(1);
    // ř is in the collection (in Roboto), but not in the face chosen.
    expect(r.stderr).toMatch(
      /rare\.yaml:8:9 project\.name(（项目名称）)?：字符“ř”（U\+0159）在 PDF 字体 WenQuanYi Micro Hei 中没有字形/,
    );
  });

  it('a missing or unknown face is a located error: exit 1, nothing written', () => {
    const bad = makeWorkspace(
      '  fonts:\n    body:\n      pdf: fonts/pair.ttc\n    heading:\n      pdf: fonts/pair.ttc\n      pdfFace: NSimSun\n',
    );
    const r = run(bad, '1', 'build', 'bid.yaml', '--out', 'out');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /tenderkit\.yaml:5:12 style\.fonts\.body\.pdf.*“fonts\/pair\.ttc”含有 2 个字体：Roboto-Regular（Roboto）、WenQuanYiMicroHei（WenQuanYi Micro Hei）；请用 pdfFace 指明使用哪一个/,
    );
    expect(r.stderr).toMatch(
      /tenderkit\.yaml:8:16 style\.fonts\.heading\.pdfFace.*中没有名为“NSimSun”的字体/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(path.join(bad, 'out'))).toBe(false);
  });
});
