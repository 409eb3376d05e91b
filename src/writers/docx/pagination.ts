// One pagination: the PDF writer's vertical geometry (pdfmake's line pitch for each text size and
// font, the room above and below each kind of block) in Word's terms — exact line spacing in
// twips, space before/after — so a Word-like renderer given the PDF's fonts breaks the pages of the
// .docx where the PDF breaks them. The numbers here mirror src/writers/pdf/index.ts: change both.
import { closeSync, openSync, readSync } from 'node:fs';
import { LineRuleType, type IXmlableObject, type PageNumberEstimator } from 'docx';
import { FONT_FILES, TYPO_METRICS } from '../../fonts/files.js';
import { fileVersionKey } from '../../fonts/parsed.js';
import { fontTables } from '../../fonts/sfnt.js';
import { displayWidth, frontMatter, headingSizes, textWidthPt } from '../../ir/layout.js';
import { listMarker } from '../../ir/numbering.js';
import { flatBlocks, inlineText } from '../../ir/text.js';
import type { Block, Document, HouseStyle, List, Paragraph, PdfFont } from '../../ir/types.js';

/** Points to twips (Word's unit for spacing, 1/20 pt). */
const twip = (pt: number) => Math.round(pt * 20);

/** pdfmake's line height per Word “lines” of spacing (1.5 lines in Word ↔ 1.25 in the PDF). */
const PER_WORD_LINE = 1.25 / 1.5;
/** The PDF's line height factor in tables (`lineHeight: 1.15`). */
const TABLE_LINE_HEIGHT = 1.15;

const units = new Map<string, number>();

/**
 * Height of one line of a font at 1 pt as pdfmake measures it: (ascent − descent) / units per em,
 * read from the font file's `hhea` (or, for the fonts in `TYPO_METRICS`, `OS/2`) and `head` tables
 * (a few hundred bytes, no font parser).
 */
export function lineUnit(font: PdfFont): number {
  const file =
    font.kind === 'file'
      ? font.regular
      : font.name === 'noto-sans-sc'
        ? FONT_FILES.sansRegular
        : FONT_FILES.serifRegular;
  // A workspace font file is known by its version (path, size, time): it may be replaced. Its face
  // in a collection (.ttc) is one of several fonts in the file.
  const face = font.kind === 'file' ? font.regularFace : undefined;
  const key = font.kind === 'file' ? `${fileVersionKey(file)}\0${face ?? ''}` : file;
  let unit = units.get(key);
  if (unit !== undefined) return unit;
  // Table offsets count from the file's start, in a collection too.
  const tables = fontTables(file, face);
  const fd = openSync(file, 'r');
  try {
    const read = (at: number, length: number) => {
      const b = Buffer.alloc(length);
      readSync(fd, b, 0, length, at);
      return b;
    };
    const table = (tag: string) => {
      const t = tables.get(tag);
      if (!t) throw new Error(`${file}: no ${tag} table`);
      return t.offset;
    };
    const upem = read(table('head') + 18, 2).readUInt16BE(0);
    // hhea ascender/descender at 4/6; OS/2 sTypoAscender/sTypoDescender at 68/70 (TYPO_METRICS).
    const [tag, at] = TYPO_METRICS.has(file) ? ['OS/2', 68] : ['hhea', 4];
    const m = read(table(tag) + at, 4);
    unit = (m.readInt16BE(0) - m.readInt16BE(2)) / upem;
  } finally {
    closeSync(fd);
  }
  units.set(key, unit);
  return unit;
}

/** Space before and after, and the exact line pitch, of one kind of paragraph, in twips. */
export interface Spacing {
  readonly before: number;
  readonly after: number;
  readonly line: number;
}

/** The .docx geometry that reproduces the PDF's pagination, per kind of paragraph. */
export interface Geometry {
  /** Body paragraphs and list items (3 pt after each, as the PDF's paragraph margin). */
  readonly body: Spacing;
  /** Headings by level (1–4). */
  readonly headings: readonly [Spacing, Spacing, Spacing, Spacing];
  readonly title: Spacing;
  /** The contents' title and its entries. */
  readonly tocTitle: Spacing;
  readonly tocEntry: Spacing;
  /** Text in table cells; cell margins top/bottom and left/right. */
  readonly tableText: Spacing;
  readonly cellMargin: { readonly y: number; readonly x: number };
  /** Empty paragraphs around a table: the PDF's table margins above and below. */
  readonly beforeTable: Spacing;
  readonly afterTable: Spacing;
  /** The picture's paragraph (single spacing: a picture never clipped) and its caption. */
  readonly figure: { readonly before: number; readonly after: number };
  readonly caption: Spacing;
  /** The signature block: room above it (an empty paragraph), each line, and an empty line's room below. */
  readonly signatureGap: Spacing;
  readonly signatureLine: Spacing;
  readonly signatureBlank: number;
}

/**
 * The geometry of a house style. pdfmake sets a line `size × lineUnit(font) × lineHeight` high;
 * with multiple spacing `lineHeight` is the same factor for every text (the default style's), with
 * exact spacing each heading gets the exact height (never below 1.2 × its size).
 */
export function geometry(style: HouseStyle): Geometry {
  const ls = style.lineSpacing;
  const s = style.sizes;
  const body = lineUnit(style.fonts.body.pdf);
  const head = lineUnit(style.fonts.heading.pdf);
  /** The default style's line height factor (pdfmake `lineHeight` of body text). */
  const factor =
    ls.kind === 'multiple'
      ? ls.value * PER_WORD_LINE
      : Math.max(ls.pt, s.body * 1.2) / (body * s.body);
  const pitch = (unit: number, size: number) => twip(size * unit * factor);
  /** Headings and the title: the default factor, or their own exact height. */
  const headingPitch = (size: number) =>
    ls.kind === 'multiple' ? pitch(head, size) : twip(Math.max(ls.pt, size * 1.2));
  const sp = (before: number, after: number, line: number): Spacing => ({
    before: twip(before),
    after: twip(after),
    line,
  });
  const bodyPitch = pitch(body, s.body);
  const hs = headingSizes(style);
  return {
    body: sp(0, 3, bodyPitch),
    headings: [
      sp(12, 6, headingPitch(hs[0])),
      sp(9, 3, headingPitch(hs[1])),
      sp(9, 3, headingPitch(hs[2])),
      sp(9, 3, headingPitch(hs[3])),
    ],
    title: sp(0, 18, headingPitch(s.title)),
    tocTitle: sp(0, 12, pitch(head, s.heading1 + 2)),
    tocEntry: sp(2, 2, bodyPitch),
    tableText: sp(0, 0, twip(s.table * body * TABLE_LINE_HEIGHT)),
    cellMargin: { y: twip(3), x: twip(4) },
    beforeTable: sp(0, 0, twip(3)),
    afterTable: sp(0, 0, twip(9)),
    figure: { before: twip(6), after: 0 },
    caption: sp(4, 9, pitch(body, s.table)),
    signatureGap: sp(0, 0, twip(18)),
    signatureLine: sp(6, 0, bodyPitch),
    signatureBlank: twip(18),
  };
}

/** `_Toc` bookmark names in the body, in document order. */
function tocBookmarks(body: IXmlableObject): string[] {
  const out: string[] = [];
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) for (const x of o) walk(x);
    else if (o && typeof o === 'object')
      for (const [k, v] of Object.entries(o)) {
        if (k === 'w:bookmarkStart') {
          const attrs = (Array.isArray(v) ? v : [v])
            .map((x) => (x as { _attr?: Record<string, unknown> })._attr)
            .find(Boolean);
          const name = attrs?.['w:name'];
          if (typeof name === 'string' && name.startsWith('_Toc')) out.push(name);
        } else walk(v);
      }
  };
  walk(body);
  return out;
}

/** Where the PDF's pages fall (`pdfPagination` of the PDF writer). */
export interface PdfPages {
  /** Every heading's printed page (the body numbered from 1), in document order. */
  readonly headings: readonly number[];
  /** Pages before the body (cover, contents). */
  readonly frontPages: number;
  readonly pages: number;
}

/**
 * The page numbers of the contents, as docx takes them (`pageNumbers` of a document): docx
 * bookmarks each heading the contents lists (levels 1 to `depth`), in order, and writes each
 * entry's number from the bookmark's page — here the PDF's. The field is then written clean: Word
 * shows it as it is and does not ask to update fields on opening, and still updates it on request.
 * The page counts the footers show (NUMPAGES, SECTIONPAGES) are written in too, for readers that
 * do not compute them. If the headings and bookmarks ever disagree, the numbers are left blank
 * rather than wrong.
 */
export function pdfPageNumbers(doc: Document, pdf: PdfPages): PageNumberEstimator {
  const toc = flatBlocks(doc.children).find((b) => b.type === 'toc');
  const depth = toc?.type === 'toc' ? toc.depth : 0;
  const listed = flatBlocks(doc.children)
    .filter((b) => b.type === 'heading')
    .map((b, i) => ({ level: b.level, page: pdf.headings[i] }))
    .filter((e) => e.level <= depth);
  // The sections of the .docx: the cover, the contents and the body when there is front matter.
  const front = frontMatter(doc);
  const cover = front.cover > 0 ? 1 : 0;
  const contents = front.body - 1 > front.cover + 1 ? pdf.frontPages - cover : 0;
  const sectionPageCounts =
    front.body > 0
      ? [...(cover ? [cover] : []), ...(contents ? [contents] : []), pdf.pages - pdf.frontPages]
      : [pdf.pages];
  return (body) => {
    const names = tocBookmarks(body);
    const bookmarks =
      names.length === listed.length && listed.every((e) => e.page !== undefined)
        ? new Map(names.map((name, i) => [name, String(listed[i]!.page)]))
        : new Map<string, string>();
    return { bookmarks, pageCount: pdf.pages, sectionPageCounts };
  };
}

/** A spacing as docx takes it: exact line height. */
export function wordSpacing(sp: Spacing): {
  before: number;
  after: number;
  line: number;
  lineRule: (typeof LineRuleType)['EXACT'];
} {
  return { before: sp.before, after: sp.after, line: sp.line, lineRule: LineRuleType.EXACT };
}

/** Whether the document has a table of contents (which then needs the PDF's page numbers). */
export function hasToc(doc: Document): boolean {
  return flatBlocks(doc.children).some((b) => b.type === 'toc');
}

// A lead-in (IR `introducesList`) needs no estimate: it carries keepNext itself, and widow control
// then keeps it with its first item's first line, or two when the item runs on, as the PDF does
// (LEAD_IN_LINES of the PDF writer, and its orphan control).

/** Lines of content the PDF keeps below a heading on its page (KEEP_LINES of the PDF writer). */
const KEEP_LINES = 2;

/** Paragraphs kept with the next block so that a heading has KEEP_LINES lines below it. */
const HEADING_KEEPS = new WeakSet<Paragraph>();

/** Whether `p` is kept with what follows because a heading above needs more lines below it. */
export function keptForHeading(p: Paragraph): boolean {
  return HEADING_KEEPS.has(p);
}

/**
 * The PDF keeps a heading with at least two lines of what follows (headings not counted); Word
 * keeps a heading (keepNext) with the first paragraph only, and with widow control with its first
 * two lines. A one-line paragraph right below a heading is therefore kept with the next block too,
 * so that Word also has two lines below the heading. Lines are estimated from the text's width
 * (CJK characters one em, others at most 0.6 em) against the measure, as the PDF sets them.
 */
export function markHeadingKeeps(doc: Document, style: HouseStyle): void {
  const em = style.sizes.body;
  const measure = textWidthPt(style) / em;
  const oneLine = (p: Paragraph, indent: number) => {
    let width = indent;
    for (const ch of inlineText(p.children)) width += displayWidth(ch) === 2 ? 1 : 0.6;
    return !inlineText(p.children).includes('\n') && width <= measure;
  };
  /** The first paragraph of a block with its indent in ems, as the PDF lays it out. */
  const firstLine = (b: Block | undefined): [Paragraph, number] | undefined => {
    if (b?.type === 'paragraph') return [b, b.indent ? 2 : 0];
    if (b?.type === 'list') {
      const list: List = b;
      const first = list.children[0]?.children[0];
      if (first?.type !== 'paragraph') return undefined;
      const marker = Math.max(2, displayWidth(listMarker(list, 0).trimEnd()) / 2 + 0.5);
      return [first, 2 * list.depth + marker];
    }
    return undefined;
  };
  const blocks = flatBlocks(doc.children);
  blocks.forEach((b, i) => {
    if (b.type !== 'heading') return;
    let next = i + 1;
    while (blocks[next]?.type === 'heading') next++;
    const first = firstLine(blocks[next]);
    if (first && KEEP_LINES > 1 && oneLine(first[0], first[1])) HEADING_KEEPS.add(first[0]);
  });
}

/**
 * Widow and orphan control for every paragraph (the document defaults; docx has no option for it
 * there): the PDF never leaves a paragraph's first line alone at the foot of a page, and Word's
 * keepNext then keeps a heading with two lines of its paragraph, as the PDF does.
 */
export function withWidowControl(styles: string): string {
  return styles.replace(/<w:pPrDefault>(?:<w:pPr>|<w:pPr\/>)/, (m) =>
    m.endsWith('/>') ? '<w:pPrDefault><w:pPr><w:widowControl/></w:pPr>' : `${m}<w:widowControl/>`,
  );
}
