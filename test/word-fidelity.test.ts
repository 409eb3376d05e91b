// Print fidelity in Word (issue 14, the .docx half): lists as real Word numbering, keep rules,
// 两端对齐 and Chinese line breaking, the font table, sections (cover and contents unnumbered, the
// body from 1) and clean metadata — read off the XML parts of every example .docx, then once
// through the real CLI and LibreOffice, which shows that Word-like software reads them so.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { renderAll } from '../src/build.js';
import { frontMatter } from '../src/ir/layout.js';
import { listMarker } from '../src/ir/numbering.js';
import { flatBlocks, inlineText } from '../src/ir/text.js';
import type { Block, Document, List, Paragraph } from '../src/ir/types.js';
import { docxPart, docxWriter } from '../src/writers/docx/index.js';
import { decode, exampleFile, prepareExample, ROOT, squash, wordListMarkers } from './helpers.js';

const EXAMPLES = ['hospital-his', 'highway-monitoring', 'dev-project-60m', 'minimal'] as const;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-word-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A paragraph of document.xml: its properties and its text. */
interface WordParagraph {
  readonly xml: string;
  readonly pPr: string;
  readonly text: string;
}

function paragraphsOf(documentXml: string): WordParagraph[] {
  return [...documentXml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => ({
    xml: m[0],
    pPr: /<w:pPr>[\s\S]*?<\/w:pPr>/.exec(m[0])?.[0] ?? '',
    text: [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => decode(t[1]!)).join(''),
  }));
}

/** Each list item's marked paragraph (the item's first block, when a paragraph), in order. */
function listItems(blocks: readonly Block[]): { list: List; index: number; p: Paragraph }[] {
  const out: { list: List; index: number; p: Paragraph }[] = [];
  const walk = (bs: readonly Block[]) => {
    for (const b of bs) {
      if (b.type === 'clause') walk(b.children);
      else if (b.type === 'list')
        b.children.forEach((item, index) =>
          item.children.forEach((c, j) => {
            if (c.type === 'list') walk([c]);
            else if (j === 0) out.push({ list: b, index, p: c });
          }),
        );
    }
  };
  walk(blocks);
  return out;
}

/** Top-level paragraphs (in clauses too), with whether they sit on the cover. */
function bodyParagraphs(doc: Document): { p: Paragraph; cover: boolean }[] {
  const front = frontMatter(doc);
  const out: { p: Paragraph; cover: boolean }[] = [];
  const walk = (bs: readonly Block[], cover: boolean) => {
    for (const b of bs) {
      if (b.type === 'clause') walk(b.children, cover);
      else if (b.type === 'paragraph') out.push({ p: b, cover });
    }
  };
  doc.children.forEach((b, i) => walk([b], front.body > 0 && i < front.cover));
  return out;
}

interface Built {
  readonly doc: Document;
  readonly buf: Buffer;
  readonly document: string;
  readonly numbering: string;
  readonly styles: string;
  readonly paragraphs: WordParagraph[];
}

const built: Built[] = [];
beforeAll(async () => {
  for (const name of EXAMPLES) {
    const prepared = prepareExample(name);
    for (const doc of renderAll(prepared.params, undefined, prepared.extra)) {
      const buf = await docxWriter.write(doc);
      const document = docxPart(buf, 'word/document.xml');
      built.push({
        doc,
        buf,
        document,
        numbering: docxPart(buf, 'word/numbering.xml'),
        styles: docxPart(buf, 'word/styles.xml'),
        paragraphs: paragraphsOf(document),
      });
    }
  }
}, 120_000);

describe('Word lists are real numbering', () => {
  it('gives every list item paragraph a w:numPr and no typed marker, the marker listMarker() gives', () => {
    let items = 0;
    for (const b of built) {
      const expected = listItems(b.doc.children);
      const numbered = b.paragraphs.filter((p) => p.pPr.includes('<w:numPr>'));
      const label = `${b.doc.meta.id} ${b.doc.meta.title}`;
      expect(numbered.length, label).toBe(expected.length);
      const markers = wordListMarkers(
        numbered.map((p) => p.xml),
        b.numbering,
      );
      expect(markers, label).toEqual(expected.map((e) => listMarker(e.list, e.index).trimEnd()));
      // The text is the item's own text: the marker is drawn by Word, not typed.
      expect(
        numbered.map((p) => squash(p.text)),
        label,
      ).toEqual(expected.map((e) => squash(inlineText(e.p.children))));
      items += expected.length;
    }
    expect(items).toBeGreaterThan(20);
  });

  it('starts every list again: one numbering instance per list, with its start', () => {
    let lists = 0;
    for (const b of built) {
      const expected = listItems(b.doc.children);
      const numbered = b.paragraphs.filter((p) => p.pPr.includes('<w:numPr>'));
      const numIdOf = new Map<List, Set<string>>();
      numbered.forEach((p, i) => {
        const id = /<w:numId w:val="(\d+)"/.exec(p.pPr)![1]!;
        const list = expected[i]!.list;
        numIdOf.set(list, (numIdOf.get(list) ?? new Set()).add(id));
      });
      const all = [...numIdOf.values()].flatMap((s) => [...s]);
      expect(new Set(all).size, b.doc.meta.id).toBe(all.length); // no two lists share one
      for (const [list, ids] of numIdOf) {
        expect(ids.size).toBe(1);
        if (!list.ordered) continue;
        const id = [...ids][0]!;
        const num = new RegExp(`<w:num w:numId="${id}">([\\s\\S]*?)</w:num>`).exec(
          b.numbering,
        )![1]!;
        expect(num).toContain(`<w:startOverride w:val="${list.start}"/>`);
        lists++;
      }
    }
    expect(lists).toBeGreaterThan(3);
  });

  it('puts a tab after the marker, the hanging indent reaching the tab, the marker in the body font', () => {
    const b = built.find((x) => x.numbering.includes('<w:abstractNum '))!;
    const levels = [...b.numbering.matchAll(/<w:lvl [^>]*>([\s\S]*?)<\/w:lvl>/g)].map((m) => m[1]!);
    expect(levels.length).toBeGreaterThanOrEqual(9);
    for (const l of levels) {
      expect(l).toContain('<w:suff w:val="tab"/>');
      const [, tab] = /<w:tab w:val="num" w:pos="(\d+)"\/>/.exec(l)!;
      const [, left, hanging] = /<w:ind w:left="(\d+)" w:hanging="(\d+)"\/>/.exec(l)!;
      expect(tab).toBe(left);
      expect(Number(hanging)).toBeGreaterThanOrEqual(480);
      expect(l).toMatch(
        /<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体"/,
      );
    }
    // One abstract numbering per list style, not per list.
    const abstracts = b.numbering.match(/<w:abstractNum /g)!.length;
    expect(abstracts).toBeLessThanOrEqual(3);
    expect(b.numbering.match(/<w:num /g)!.length).toBeGreaterThan(abstracts);
  });
});

describe('keep rules', () => {
  it('keeps headings with their next line and whole (keepNext + keepLines)', () => {
    for (const b of built) {
      for (const level of [1, 2, 3, 4]) {
        const style = new RegExp(
          `<w:style w:type="paragraph" w:styleId="Heading${level}">[\\s\\S]*?</w:style>`,
        ).exec(b.styles)![0];
        expect(style).toContain('<w:keepNext/>');
        expect(style).toContain('<w:keepLines/>');
      }
      if (flatBlocks(b.doc.children).some((x) => x.type === 'heading'))
        expect(b.document, b.doc.meta.id).toMatch(/<w:pStyle w:val="Heading[12]"\/>/);
    }
  });

  it('keeps the closing paragraph with the signature block, and the block together', () => {
    let checked = 0;
    for (const b of built) {
      const sig = b.doc.children.findIndex((x) => x.type === 'signature');
      if (sig < 0) continue;
      const signature = b.doc.children[sig]!;
      if (signature.type !== 'signature') continue;
      const labels = signature.children.map((l) => `${l.label}：`);
      const first = b.paragraphs.findIndex((p) => p.text.startsWith(labels[0]!));
      const lines = b.paragraphs.slice(first, first + labels.length);
      lines.forEach((p, i) => {
        expect(p.text.startsWith(labels[i]!)).toBe(true);
        expect(p.pPr).toContain('<w:keepLines/>');
        expect(p.pPr.includes('<w:keepNext/>'), `${b.doc.meta.id} line ${i}`).toBe(
          i < labels.length - 1,
        );
      });
      // Before the block: a spacer, and before it the closing paragraph, both kept with the next.
      expect(b.paragraphs[first - 1]!.text).toBe('');
      expect(b.paragraphs[first - 1]!.pPr).toContain('<w:keepNext/>');
      const before = b.doc.children[sig - 1]!;
      const closing = before.type === 'clause' ? before.children.at(-1)! : before;
      if (closing.type === 'paragraph') {
        expect(closing.keepWithNext).toBe(true);
        expect(squash(b.paragraphs[first - 2]!.text)).toBe(squash(inlineText(closing.children)));
        expect(b.paragraphs[first - 2]!.pPr, b.doc.meta.id).toContain('<w:keepNext/>');
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('repeats a table header row, keeps it with the first body rows and centres the cells', () => {
    let tables = 0;
    for (const b of built) {
      for (const t of b.document.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)) {
        const rows = [...t[0].matchAll(/<w:tr>[\s\S]*?<\/w:tr>/g)].map((r) => r[0]);
        const cells = [...t[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => c[0]);
        for (const c of cells) expect(c).toContain('<w:vAlign w:val="center"/>');
        for (const r of rows) expect(r).toContain('<w:cantSplit/>');
        if (!rows[0]!.includes('<w:tblHeader/>')) continue;
        tables++;
        const keeps = (r: string) =>
          [...r.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].every((p) => p[0].includes('<w:keepNext/>'));
        expect(keeps(rows[0]!)).toBe(true);
        if (rows.length > 2) expect(keeps(rows[1]!)).toBe(true);
        for (const r of rows.slice(2)) expect(keeps(r)).toBe(false);
      }
    }
    expect(tables).toBeGreaterThan(3);
  });
});

describe('两端对齐 and Chinese line breaking', () => {
  it('justifies body paragraphs and list items, keeps centred and right-aligned ones', () => {
    let justified = 0;
    for (const b of built) {
      const byText = new Map<string, WordParagraph[]>();
      for (const p of b.paragraphs)
        byText.set(squash(p.text), [...(byText.get(squash(p.text)) ?? []), p]);
      for (const { p, cover } of bodyParagraphs(b.doc)) {
        const text = squash(inlineText(p.children));
        if (!text) continue;
        const jc = (byText.get(text) ?? []).map((w) => /<w:jc w:val="(\w+)"\/>/.exec(w.pPr)?.[1]);
        expect(jc.length, text).toBeGreaterThan(0);
        const want = p.align === 'left' ? (cover ? 'left' : 'both') : p.align;
        expect(jc, `${b.doc.meta.id}: ${text}`).toContain(want);
        if (want === 'both') justified++;
      }
      for (const p of b.paragraphs.filter((x) => x.pPr.includes('<w:numPr>')))
        expect(p.pPr).toContain('<w:jc w:val="both"/>');
    }
    expect(justified).toBeGreaterThan(50);
  });

  it('states 避头尾 and Chinese punctuation and spacing defaults', () => {
    for (const b of built) {
      const defaults = /<w:pPrDefault><w:pPr>([\s\S]*?)<\/w:pPr>/.exec(b.styles)![1]!;
      expect(defaults).toMatch(
        /<w:kinsoku\/><w:overflowPunct\/><w:autoSpaceDE w:val="0"\/><w:autoSpaceDN w:val="0"\/>/,
      );
      // Schema order: these come before the spacing.
      expect(defaults.indexOf('<w:kinsoku/>')).toBeLessThan(defaults.indexOf('<w:spacing'));
    }
  });
});

describe('fonts', () => {
  it('names 宋体/SimSun and 黑体/SimHei with charset 86 and PANOSE, and the Latin fonts', () => {
    const table = docxPart(built[0]!.buf, 'word/fontTable.xml');
    expect(table).toContain(
      '<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:panose1 w:val="02010600030101010101"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/><w:sig ',
    );
    expect(table).toContain(
      '<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:panose1 w:val="02010609060101010101"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/><w:sig ',
    );
    expect(table).toMatch(
      /<w:font w:name="Times New Roman"><w:panose1 w:val="02020603050405020304"\/><w:charset w:val="00"\/><w:family w:val="roman"\/>/,
    );
    expect(table).toMatch(/<w:font w:name="Arial"><w:panose1 w:val="020B0604020202020204"\/>/);
    // The runs name both: Latin and East Asian.
    expect(built[0]!.styles).toMatch(
      /<w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体" w:hAnsi="Times New Roman"\/>/,
    );
  });
});

/** The sectPr elements of document.xml, in order. */
const sectionsOf = (xml: string) =>
  [...xml.matchAll(/<w:sectPr\b[\s\S]*?<\/w:sectPr>/g)].map((m) => m[0]);

describe('sections', () => {
  it('puts cover and contents in unnumbered sections and numbers the body from 1, counting its pages', () => {
    let fronts = 0;
    for (const b of built) {
      const sections = sectionsOf(b.document);
      const rels = docxPart(b.buf, 'word/_rels/document.xml.rels');
      const footerOf = (sect: string) => {
        const id = /<w:footerReference w:type="default" r:id="(\w+)"\/>/.exec(sect)![1]!;
        const target =
          new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ??
          new RegExp(`Target="([^"]+)"[^>]*Id="${id}"`).exec(rels)![1]!;
        return docxPart(b.buf, `word/${target}`);
      };
      const front = frontMatter(b.doc);
      if (front.body === 0) {
        expect(sections, b.doc.meta.id).toHaveLength(1);
        expect(footerOf(sections[0]!)).toMatch(/PAGE[\s\S]*NUMPAGES/);
        continue;
      }
      fronts++;
      const hasCover = front.cover > 0;
      const hasContents = front.body - 1 > front.cover + 1;
      expect(sections).toHaveLength(1 + Number(hasCover) + Number(hasContents));
      for (const s of sections.slice(0, -1)) {
        expect(s).not.toContain('<w:footerReference');
        expect(s).not.toMatch(/<w:pgNumType w:start=/);
      }
      if (hasCover) expect(sections[0]).toContain('<w:vAlign w:val="center"/>');
      const body = sections.at(-1)!;
      expect(body).toContain('<w:type w:val="nextPage"/>');
      expect(body).toMatch(/<w:pgNumType w:start="1"\/>/);
      const footer = footerOf(body);
      expect(footer).toMatch(/第 [\s\S]*PAGE[\s\S]*页 共 [\s\S]*SECTIONPAGES[\s\S]* 页/);
      expect(footer).not.toContain('NUMPAGES');
      // No page break is left where a section now starts the page.
      const firstBody = b.doc.children[front.body]!;
      expect(firstBody.type).not.toBe('pageBreak');
    }
    expect(fronts).toBeGreaterThanOrEqual(3);
  });
});

describe('metadata and bytes', () => {
  it('embeds the properties it is given, and none with clean metadata', async () => {
    const doc = built[0]!.doc;
    const withProps = {
      ...doc,
      meta: {
        ...doc.meta,
        properties: [['TenderKit.bidSha256', 'ab'.repeat(32)]] as [string, string][],
      },
    };
    const custom = docxPart(await docxWriter.write(withProps), 'docProps/custom.xml');
    expect(custom).toContain('TenderKit.bidSha256');
    const clean = await docxWriter.write({ ...doc, meta: { ...doc.meta, cleanMetadata: true } });
    for (const [n, b] of Object.entries(unzipSync(clean)))
      if (!n.startsWith('word/media/'))
        expect(strFromU8(b), n).not.toMatch(/TenderKit|[0-9a-f]{64}/);
    expect(docxPart(clean, 'docProps/core.xml')).toContain(
      `<dc:creator>${doc.meta.author}</dc:creator>`,
    );
  });

  it('gives the same bytes twice', async () => {
    for (const b of built.filter((x) => frontMatter(x.doc).body > 0))
      expect((await docxWriter.write(b.doc)).equals(b.buf), b.doc.meta.id).toBe(true);
  });
});

describe('through the CLI, and read by LibreOffice', () => {
  const out = path.join(tmp, 'cli');
  beforeAll(() => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bin/tenderkit.js'),
        'build',
        exampleFile('hospital-his'),
        '--out',
        out,
        '--format',
        'docx',
        '--clean-metadata',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it('writes numbering, sections and no fingerprints into the .docx it builds', () => {
    const buf = readFileSync(path.join(out, '售后服务方案.docx'));
    const document = docxPart(buf, 'word/document.xml');
    expect(document).toMatch(/<w:numPr><w:ilvl w:val="0"\/><w:numId w:val="1"\/><\/w:numPr>/);
    expect(docxPart(buf, 'word/numbering.xml')).toContain('<w:lvlText w:val="%1."/>');
    expect(sectionsOf(document).length).toBeGreaterThanOrEqual(2);
    expect(sectionsOf(document).at(-1)).toMatch(/<w:pgNumType w:start="1"\/>/);
    for (const [n, b] of Object.entries(unzipSync(buf)))
      if (!n.startsWith('word/media/'))
        expect(strFromU8(b), n).not.toMatch(/TenderKit|[0-9a-f]{64}/);
  });

  it.skipIf(!existsSync('/usr/bin/soffice'))(
    'shows the list numbers and numbers the first body page 1 in LibreOffice',
    () => {
      const docx = path.join(out, '售后服务方案.docx');
      const profile = path.join(tmp, 'lo-profile');
      execFileSync(
        'soffice',
        [
          '--headless',
          `-env:UserInstallation=file://${profile}`,
          '--convert-to',
          'pdf',
          '--outdir',
          tmp,
          docx,
        ],
        { stdio: 'ignore', timeout: 120_000 },
      );
      const pdf = path.join(tmp, '售后服务方案.pdf');
      const pages = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' })
        .split('\f')
        .filter((p) => p.trim())
        .map(squash);
      // The body starts on the page with the first numbered heading.
      const first = pages.findIndex((p) => p.includes('一、') && !p.startsWith('目录'));
      expect(first).toBeGreaterThan(0);
      expect(pages.slice(0, first).join('')).not.toMatch(/第\d+页/);
      // The body is numbered from 1 to its own page count: 共 N 页 is a SECTIONPAGES field, which
      // LibreOffice 7.4 does not compute; it shows the count written into the file (the PDF's).
      const bodyPages = pages.length - first;
      expect(pages[first]).toContain(`第1页共${bodyPages}页`);
      expect(pages.at(-1)).toContain(`第${bodyPages}页共${bodyPages}页`);
      // The first list's first item, as Word would number it.
      const prepared = prepareExample('hospital-his');
      const plan = renderAll(prepared.params, undefined, prepared.extra).find(
        (d) => d.meta.title === '售后服务方案',
      )!;
      const item = listItems(plan.children).find((i) => i.list.ordered && i.index === 0)!;
      const text = squash(inlineText(item.p.children)).slice(0, 8);
      expect(pages.join('')).toContain(`${listMarker(item.list, 0).trim()}${text}`);
      writeFileSync(path.join(tmp, 'pages.txt'), pages.join('\n'));
    },
    180_000,
  );
});
