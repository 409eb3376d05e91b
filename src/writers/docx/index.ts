// Word writer: IR → docx with 宋体/黑体 eastAsia fonts, real heading styles, A4 and a page footer.
import {
  AlignmentType,
  BorderStyle,
  DeletedTextRun,
  Document as DocxDocument,
  Footer,
  Header,
  HeadingLevel,
  HeightRule,
  PageBreak,
  TableOfContents,
  ImageRun,
  InsertedTextRun,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  SectionType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  Tab,
  TabStopType,
  TextRun,
  VerticalAlign,
  VerticalAlignSection,
  WidthType,
  type FileChild,
  type ISectionOptions,
  type ParagraphChild,
} from 'docx';
import { readFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync } from 'fflate';
import { fontTableXml } from './fonts.js';
import { ListNumbering, NUMBERING_REFERENCE, resolveNumIds } from './numbering.js';
import {
  geometry,
  hasToc,
  keptForHeading,
  markHeadingKeeps,
  pdfPageNumbers,
  withWidowControl,
  wordSpacing,
  type Geometry,
  type PdfPages,
} from './pagination.js';
import { pdfPagesOf } from '../pdf-pages.js';
import { zipParts } from './zip.js';
import { figurePng } from '../../figures/raster.js';
import { figureCaption } from '../../ir/text.js';
import { dispatch, type Handlers } from '../../ir/handlers.js';
import {
  columnFractions,
  DEFAULT_HOUSE_STYLE,
  FOOTER_BOTTOM_PT,
  footerParts,
  frontMatter,
  HEADER_TOP_PT,
  headingSizes,
  PAGE,
  SIGNATURE_INDENT,
  styleOf,
  textWidthPt,
} from '../../ir/layout.js';
import type { Block, Document, HouseStyle, Inline, StyleFont } from '../../ir/types.js';
import { WORD_FONTS } from '../../fonts/word.js';
import { eachItem, itemBlocks, type ItemContext } from '../list-context.js';
import { rowContexts } from '../table-context.js';
import { DRAFT_MARK, XML_ILLEGAL, type Writer } from '../types.js';

const twip = (pt: number) => Math.round(pt * 20);
const halfPt = (pt: number) => Math.round(pt * 2);
const HEADINGS = [
  HeadingLevel.HEADING_1,
  HeadingLevel.HEADING_2,
  HeadingLevel.HEADING_3,
  HeadingLevel.HEADING_4,
] as const;
const ALIGN = {
  left: AlignmentType.LEFT,
  center: AlignmentType.CENTER,
  right: AlignmentType.RIGHT,
} as const;

/** The house style as Word sees it: font names, spacing in twips, widths. */
interface DocxStyle {
  readonly style: HouseStyle;
  readonly textWidth: number;
  readonly fonts: { readonly body: WordFont; readonly heading: WordFont };
  /** The PDF's vertical geometry in Word's terms (one pagination). */
  readonly geo: Geometry;
}

type WordFont = { readonly ascii: string; readonly hAnsi: string; readonly eastAsia: string };

const wordFont = (f: StyleFont): WordFont => ({
  ascii: f.latin,
  hAnsi: f.latin,
  eastAsia: f.chinese,
});

function docxStyle(style: HouseStyle): DocxStyle {
  const builtIn = style === DEFAULT_HOUSE_STYLE;
  return {
    style,
    textWidth: textWidthPt(style),
    geo: geometry(style),
    fonts: builtIn
      ? WORD_FONTS
      : { body: wordFont(style.fonts.body), heading: wordFont(style.fonts.heading) },
  };
}

interface Ctx {
  readonly st: DocxStyle;
  readonly bold: boolean;
  /** Shared by the whole document: w:ins/w:del ids must be unique. */
  readonly revisions: { next: number };
  /** Where the PDF's pages fall: the contents' page numbers. */
  readonly tocPages?: PdfPages;
  /** Set while writing a list item: which list and which item. */
  readonly item?: ItemContext;
  /** The document's list numbering, filled as list items are written. */
  readonly numbering: ListNumbering;
  /** Inside the cover page: paragraphs keep their own alignment (never justified). */
  readonly cover?: boolean;
  /** Table rows and signature lines kept on the page of what follows them. */
  readonly keep?: boolean;
  readonly align?: 'left' | 'center' | 'right';
  readonly aligns?: readonly ('left' | 'center' | 'right')[];
  readonly header?: boolean;
}

type Result = {
  document: DocxDocument;
  title: FileChild[];
  heading: FileChild[];
  paragraph: FileChild[];
  list: FileChild[];
  listItem: FileChild[];
  table: FileChild[];
  tableRow: TableRow;
  tableCell: TableCell;
  signature: FileChild[];
  signatureLine: FileChild[];
  clause: FileChild[];
  figure: FileChild[];
  toc: FileChild[];
  pageBreak: FileChild[];
  text: ParagraphChild[];
  strong: ParagraphChild[];
  var: ParagraphChild[];
  break: ParagraphChild[];
  revision: ParagraphChild[];
};

function runs(text: string, ctx: Ctx): TextRun[] {
  return text
    .replace(XML_ILLEGAL, '')
    .split('\n')
    .map(
      (line, i) =>
        new TextRun({
          text: line,
          bold: ctx.bold || undefined,
          break: i > 0 ? 1 : undefined,
        }),
    );
}

/**
 * Word needs no run boundary between literal text and a filled-in value (the IR keeps that
 * provenance), so adjacent text and var nodes become one run: fewer XML elements, faster output.
 */
function mergeRuns(list: readonly Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const n of list) {
    const prev = out[out.length - 1];
    const plain = n.type === 'text' || n.type === 'var';
    if (plain && prev?.type === 'text')
      out[out.length - 1] = { type: 'text', value: prev.value + n.value };
    else out.push(plain ? { type: 'text', value: n.value } : n);
  }
  return out;
}

const inlines = (list: readonly Inline[], ctx: Ctx, h: Handlers<Ctx, Result>) =>
  mergeRuns(list).flatMap((n) => dispatch(h, n, ctx));
const blocks = (list: readonly Block[], ctx: Ctx, h: Handlers<Ctx, Result>) =>
  list.flatMap((n) => dispatch(h, n, ctx) as FileChild[]);

/** Paragraph style for table cells: smaller text and tighter lines, set once rather than per run. */
const TABLE_TEXT = 'TkTableText';

const thin = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;

/**
 * The document's sections. Without front matter: one. With it (`frontMatter()`): the cover in a
 * section of its own, centred vertically, then the contents, both without a page number, and the
 * body from a new page numbered from 1, its footer's total counting the body's pages only
 * (SECTIONPAGES), as in the PDF. Later sections inherit the first one's header.
 */
function sections(n: Document, ctx: Ctx, h: Handlers<Ctx, Result>): ISectionOptions[] {
  const { st } = ctx;
  const s = st.style;
  const front = frontMatter(n);
  const page = {
    size: { width: twip(PAGE.widthPt), height: twip(PAGE.heightPt) },
    margin: {
      top: twip(s.margins.top),
      bottom: twip(s.margins.bottom),
      left: twip(s.margins.left),
      right: twip(s.margins.right),
      footer: twip(FOOTER_BOTTOM_PT),
      ...(s.header ? { header: twip(HEADER_TOP_PT) } : {}),
    },
  };
  const headers = s.header
    ? { headers: { default: new Header({ children: houseHeader(st, n.meta.draft) }) } }
    : n.meta.draft
      ? {
          headers: {
            default: new Header({
              children: [
                new Paragraph({
                  alignment: AlignmentType.RIGHT,
                  children: [
                    new TextRun({
                      text: DRAFT_MARK,
                      bold: true,
                      color: 'C00000',
                      size: halfPt(14),
                    }),
                  ],
                }),
              ],
            }),
          },
        }
      : {};
  const numbered = front.body > 0;
  const footers = {
    default: new Footer({
      children: [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          children: [
            new TextRun({
              size: halfPt(s.sizes.footer),
              children: footerParts(s.footer).map((p) =>
                typeof p === 'string'
                  ? p
                  : p.field === 'page'
                    ? PageNumber.CURRENT
                    : numbered
                      ? PageNumber.TOTAL_PAGES_IN_SECTION
                      : PageNumber.TOTAL_PAGES,
              ),
            }),
          ],
        }),
      ],
    }),
  };
  if (!numbered)
    return [{ properties: { page }, ...headers, footers, children: blocks(n.children, ctx, h) }];
  // The page breaks that end the cover and the contents become the section breaks.
  const cover = n.children.slice(0, front.cover);
  const contents = n.children.slice(front.cover + 1, front.body - 1);
  const out: ISectionOptions[] = [];
  if (cover.length)
    out.push({
      properties: { page, verticalAlign: VerticalAlignSection.CENTER },
      children: [coverTable(blocks(cover, { ...ctx, cover: true }, h), st)],
    });
  if (contents.length)
    out.push({
      properties: { page, type: SectionType.NEXT_PAGE },
      children: blocks(contents, ctx, h),
    });
  out.push({
    properties: { page: { ...page, pageNumbers: { start: 1 } }, type: SectionType.NEXT_PAGE },
    footers,
    children: blocks(n.children.slice(front.body), ctx, h),
  });
  const [first] = out;
  out[0] = { ...first!, ...headers };
  return out;
}

/**
 * The cover's blocks in one borderless cell nearly as tall as the text area, centred vertically,
 * as the PDF sets them: readers that ignore the section's own vertical centring (LibreOffice)
 * still show a balanced cover, and in Word the centred section changes little. The room left
 * below takes the paragraph that ends the section.
 */
function coverTable(children: FileChild[], st: DocxStyle): Table {
  const m = st.style.margins;
  const none = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } as const;
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: twip(st.textWidth), type: WidthType.DXA },
    columnWidths: [twip(st.textWidth)],
    borders: {
      top: none,
      bottom: none,
      left: none,
      right: none,
      insideHorizontal: none,
      insideVertical: none,
    },
    rows: [
      new TableRow({
        cantSplit: true,
        height: { value: twip(PAGE.heightPt - m.top - m.bottom - 48), rule: HeightRule.EXACT },
        children: [
          new TableCell({
            verticalAlign: VerticalAlign.CENTER,
            children: children as (Paragraph | Table)[],
          }),
        ],
      }),
    ],
  });
}

const handlers: Handlers<Ctx, Result> = {
  document: (n, ctx, h) => {
    const { st } = ctx;
    const s = st.style;
    const F = st.fonts;
    const [h1, h2, h3, h4] = headingSizes(s);
    // Exact line heights and the PDF's space above/below each block (one pagination).
    const g = st.geo;
    return new DocxDocument({
      creator: n.meta.author,
      // The contents' page numbers are the PDF's, written in: Word need not refresh fields on opening.
      ...(ctx.tocPages ? { pageNumbers: pdfPageNumbers(n, ctx.tocPages) } : {}),
      // Space after one paragraph and before the next add up (as in the PDF), not the larger only.
      compatibility: { doNotUseHTMLParagraphAutoSpacing: true },
      title: n.meta.title,
      subject: n.meta.subject,
      lastModifiedBy: n.meta.author,
      customProperties: (n.meta.properties ?? []).map(([name, value]) => ({ name, value })),
      styles: {
        default: {
          document: {
            run: {
              font: F.body,
              size: halfPt(s.sizes.body),
              language: { value: 'en-US', eastAsia: 'zh-CN' },
            },
            paragraph: { spacing: wordSpacing(g.body) },
          },
          title: {
            run: {
              font: F.heading,
              size: halfPt(s.sizes.title),
              bold: true,
              color: '000000',
            },
            paragraph: {
              alignment: AlignmentType.CENTER,
              spacing: wordSpacing(g.title),
            },
          },
          heading1: {
            run: {
              font: F.heading,
              size: halfPt(h1),
              bold: true,
              color: '000000',
            },
            paragraph: { spacing: wordSpacing(g.headings[0]), keepNext: true, keepLines: true },
          },
          heading2: {
            run: {
              font: F.heading,
              size: halfPt(h2),
              bold: true,
              color: '000000',
            },
            paragraph: { spacing: wordSpacing(g.headings[1]), keepNext: true, keepLines: true },
          },
          heading3: {
            run: { font: F.heading, size: halfPt(h3), color: '000000' },
            paragraph: { spacing: wordSpacing(g.headings[2]), keepNext: true, keepLines: true },
          },
          heading4: {
            run: { font: F.heading, size: halfPt(h4), color: '000000' },
            paragraph: { spacing: wordSpacing(g.headings[3]), keepNext: true, keepLines: true },
          },
        },
        paragraphStyles: [
          {
            id: TABLE_TEXT,
            name: 'Table Text',
            basedOn: 'Normal',
            quickFormat: true,
            run: { size: halfPt(s.sizes.table) },
            paragraph: { spacing: wordSpacing(g.tableText) },
          },
          // Contents entries (Word's own style ids, which its TOC field writes): the PDF's spacing.
          ...[1, 2, 3, 4].map((level) => ({
            id: `TOC${level}`,
            name: `toc ${level}`,
            basedOn: 'Normal',
            next: 'Normal',
            paragraph: {
              spacing: wordSpacing(g.tocEntry),
              indent: { left: twip((level - 1) * 2 * s.sizes.body) },
            },
          })),
        ],
      },
      sections: sections(n, ctx, h),
    });
  },
  title: (n, ctx, h) => [
    new Paragraph({ heading: HeadingLevel.TITLE, children: inlines(n.children, ctx, h) }),
  ],
  heading: (n, ctx, h) => [
    new Paragraph({
      heading: HEADINGS[n.level - 1],
      children: [...(n.label ? runs(n.label, ctx) : []), ...inlines(n.children, ctx, h)],
    }),
  ],
  paragraph: (n, ctx, h) => {
    const item = ctx.item;
    // A list item's marker and indents come from word/numbering.xml (a tab after the marker).
    const num = item ? ctx.numbering.numPr(item.list, item.index) : undefined;
    const em = ctx.st.style.sizes.body;
    return [
      new Paragraph({
        // 两端对齐 for body text and list items, as the PDF; the cover keeps its alignment.
        alignment: n.align === 'left' && !ctx.cover ? AlignmentType.BOTH : ALIGN[n.align],
        // A lead-in (IR `introducesList`) stays with its list's first item, as a heading does.
        keepNext: n.keepWithNext || n.introducesList || keptForHeading(n) || undefined,
        numbering: num
          ? {
              reference: NUMBERING_REFERENCE,
              level: num.level,
              instance: num.numId,
              custom: true,
            }
          : undefined,
        indent: !item && n.indent ? { firstLine: twip(em * 2) } : undefined,
        children: inlines(n.children, ctx, h),
      }),
    ];
  },
  list: (n, ctx, h) => eachItem(n, ctx, (item, c) => dispatch(h, item, c)),
  listItem: (n, ctx, h) => itemBlocks(n, ctx, (b, c) => dispatch(h, b, c)),
  table: (n, ctx, h) => {
    const total = twip(ctx.st.textWidth);
    const widths = columnFractions(n, ctx.st.style).map((f) => Math.round(f * total));
    const { head: headCtx, body: bodyCtx } = rowContexts(n, ctx);
    return [
      // The PDF's room above a table (a table has no space before of its own in Word).
      new Paragraph({ spacing: wordSpacing(ctx.st.geo.beforeTable), keepNext: true, children: [] }),
      new Table({
        layout: TableLayoutType.FIXED,
        width: { size: total, type: WidthType.DXA },
        columnWidths: widths,
        margins: {
          top: ctx.st.geo.cellMargin.y,
          bottom: ctx.st.geo.cellMargin.y,
          left: ctx.st.geo.cellMargin.x,
          right: ctx.st.geo.cellMargin.x,
        },
        borders: {
          top: thin,
          bottom: thin,
          left: thin,
          right: thin,
          insideHorizontal: thin,
          insideVertical: thin,
        },
        // The header rows stay with the first two body rows (as in the PDF): they and the first
        // body row are kept with the next row.
        rows: [
          ...n.head.map((r) => dispatch(h, r, { ...headCtx, keep: n.body.length > 0 })),
          ...n.body.map((r, i) =>
            dispatch(h, r, { ...bodyCtx, keep: i === 0 && n.head.length > 0 && n.body.length > 1 }),
          ),
        ],
      }),
      // Word needs a paragraph between a table and what follows: as high as the PDF's room below.
      new Paragraph({ spacing: wordSpacing(ctx.st.geo.afterTable), children: [] }),
    ];
  },
  tableRow: (n, ctx, h) =>
    new TableRow({
      tableHeader: ctx.header || undefined,
      cantSplit: true,
      children: n.children.map((c, i) =>
        dispatch(h, c, { ...ctx, align: ctx.aligns?.[i] ?? 'left' }),
      ),
    }),
  tableCell: (n, ctx, h) =>
    new TableCell({
      verticalAlign: VerticalAlign.CENTER,
      children: [
        new Paragraph({
          alignment: ALIGN[ctx.align ?? 'left'],
          style: TABLE_TEXT,
          keepNext: ctx.keep || undefined,
          children: inlines(n.children, ctx, h),
        }),
      ],
    }),
  // The closing paragraph before the block carries keepWithNext (IR); the block's lines stay
  // together: each kept with the next but the last.
  signature: (n, ctx, h) => [
    new Paragraph({
      spacing: wordSpacing(ctx.st.geo.signatureGap),
      keepNext: true,
      children: [],
    }),
    ...n.children.flatMap((l, i) => dispatch(h, l, { ...ctx, keep: i < n.children.length - 1 })),
  ],
  signatureLine: (n, ctx, h) => [
    new Paragraph({
      keepNext: ctx.keep || undefined,
      keepLines: true,
      indent: { left: twip(ctx.st.textWidth * SIGNATURE_INDENT) },
      // A line left empty keeps room below it to sign or seal by hand (as the PDF).
      spacing: {
        ...wordSpacing(ctx.st.geo.signatureLine),
        ...(n.children.length ? {} : { after: ctx.st.geo.signatureBlank }),
      },
      children: [...runs(`${n.label}：`, ctx), ...inlines(n.children, ctx, h)],
    }),
  ],
  clause: (n, ctx, h) => blocks(n.children, ctx, h),
  toc: (n, ctx) => [
    new Paragraph({
      heading: HeadingLevel.TITLE,
      spacing: wordSpacing(ctx.st.geo.tocTitle),
      children: [new TextRun({ text: n.title, size: halfPt(ctx.st.style.sizes.heading1 + 2) })],
    }),
    // A real TOC field over the heading styles; docx fills it with the headings (hyperlinked to
    // their bookmarks, dot leaders before a right tab) and, given the PDF's pages (`tocPages`, via
    // the document's `pageNumbers`), with their page numbers, written clean: Word shows them as
    // they are and still updates the field on request.
    new TableOfContents(n.title, { hyperlink: true, headingStyleRange: `1-${n.depth}` }),
  ],
  pageBreak: () => [new Paragraph({ children: [new PageBreak()] })],
  figure: (n, ctx) => {
    // Printed at its size in points; docx measures images in pixels at 96 per inch.
    const scale = Math.min(1, ctx.st.textWidth / n.width) * (96 / 72);
    return [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        keepNext: true,
        // Single spacing (an exact line would clip the picture); the PDF's room above it.
        spacing: {
          before: ctx.st.geo.figure.before,
          after: ctx.st.geo.figure.after,
          line: 240,
          lineRule: LineRuleType.AUTO,
        },
        children: [
          figureImage(figurePng(n.svg), {
            width: Math.round(n.width * scale),
            height: Math.round(n.height * scale),
            // A fixed drawing id (figure numbers are unique in a document): docx would use a process-wide counter.
            id: String(n.number),
            caption: figureCaption(n),
          }),
        ],
      }),
      new Paragraph({
        alignment: AlignmentType.CENTER,
        spacing: wordSpacing(ctx.st.geo.caption),
        // The PDF's caption size (the table text size).
        children: [
          new TextRun({
            size: halfPt(ctx.st.style.sizes.table),
            children: [figureCaption(n).replace(XML_ILLEGAL, '')],
          }),
        ],
      }),
    ];
  },
  text: (n, ctx) => runs(n.value, ctx),
  strong: (n, ctx, h) => inlines(n.children, { ...ctx, bold: true }, h),
  var: (n, ctx) => runs(n.value, ctx),
  break: () => [new TextRun({ break: 1 })],
  revision: (n, ctx) => {
    const opts = {
      text: n.value.replace(XML_ILLEGAL, ''),
      id: ctx.revisions.next++,
      author: n.author,
      date: `${n.date}T00:00:00Z`,
      bold: ctx.bold || undefined,
    };
    return [n.kind === 'insert' ? new InsertedTextRun(opts) : new DeletedTextRun(opts)];
  },
};

/**
 * The image run of a figure's PNG. docx names the picture by the SHA-1 of its bytes, computed in
 * JavaScript (a few milliseconds for a figure's hundred kilobytes) whenever a run is made: the run
 * for the same PNG and the same size, number and caption is made once (it holds no state of the
 * document it is written into) and written into every document that shows it.
 */
function figureImage(
  png: Buffer,
  f: { width: number; height: number; id: string; caption: string },
): ImageRun {
  let runs = figureImages.get(png);
  if (!runs) figureImages.set(png, (runs = new Map()));
  const key = JSON.stringify([f.width, f.height, f.id, f.caption]);
  let run = runs.get(key);
  if (!run) {
    run = new ImageRun({
      type: 'png',
      data: png,
      transformation: { width: f.width, height: f.height },
      altText: { id: f.id, name: f.caption, description: f.caption, title: f.caption },
    });
    runs.set(key, run);
  }
  return run;
}
const figureImages = new WeakMap<Buffer, Map<string, ImageRun>>();

/** `2026-11-22` → a fixed timestamp used for every date inside the package. */
function fixedDate(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

function coreXml(doc: Document): string {
  const esc = (s: string) =>
    s.replace(XML_ILLEGAL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const when = `${doc.meta.date}T00:00:00Z`;
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${esc(doc.meta.title)}</dc:title><dc:subject>${esc(doc.meta.subject)}</dc:subject><dc:creator>${esc(doc.meta.author)}</dc:creator>` +
    `<cp:lastModifiedBy>${esc(doc.meta.author)}</cp:lastModifiedBy><cp:revision>1</cp:revision>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

/** `_Toc<n>` names and bookmark ids numbered 1, 2, … in order of first appearance. */
export function renumberBookmarks(xml: string): string {
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  return xml
    .replace(/_Toc(\d+)/g, (_m, n: string) => {
      if (!names.has(n)) names.set(n, names.size + 1);
      return `_Toc${names.get(n)}`;
    })
    .replace(
      /(<w:bookmark(?:Start|End)\b[^>]*\bw:id=")(\d+)(")/g,
      (_m, a: string, id: string, b: string) => {
        if (!ids.has(id)) ids.set(id, ids.size + 1);
        return `${a}${ids.get(id)}${b}`;
      },
    );
}

/** Drawing id of the header logo: apart from the figures' ids (their numbers). */
const LOGO_DRAWING_ID = '9001';

/**
 * The house header: the logo on the left, the text at a right tab stop, a rule below; a draft
 * document's mark in a paragraph above it.
 */
function houseHeader(st: DocxStyle, draft: boolean): Paragraph[] {
  const s = st.style;
  const logo = s.header?.logo;
  const px = (pt: number) => Math.round((pt * 96) / 72);
  const image = logo
    ? [
        logo.format === 'svg'
          ? new ImageRun({
              type: 'svg',
              data: readFileSync(logo.file),
              fallback: { type: 'png', data: figurePng(readFileSync(logo.file, 'utf8')) },
              transformation: { width: px(logo.widthPt), height: px(logo.heightPt) },
              altText: { id: LOGO_DRAWING_ID, name: 'logo', description: '', title: '' },
            })
          : new ImageRun({
              type: 'png',
              data: readFileSync(logo.file),
              transformation: { width: px(logo.widthPt), height: px(logo.heightPt) },
              altText: { id: LOGO_DRAWING_ID, name: 'logo', description: '', title: '' },
            }),
      ]
    : [];
  return [
    ...(draft
      ? [
          new Paragraph({
            alignment: AlignmentType.RIGHT,
            children: [
              new TextRun({ text: DRAFT_MARK, bold: true, color: 'C00000', size: halfPt(14) }),
            ],
          }),
        ]
      : []),
    new Paragraph({
      tabStops: [{ type: TabStopType.RIGHT, position: twip(st.textWidth) }],
      spacing: { line: 240, lineRule: LineRuleType.AUTO, after: 0 },
      border: { bottom: { style: BorderStyle.SINGLE, size: 4, color: '000000', space: 1 } },
      children: [
        ...image,
        new TextRun({
          size: halfPt(s.sizes.header),
          children: [new Tab(), s.header?.text?.replace(XML_ILLEGAL, '') ?? ''],
        }),
      ],
    }),
  ];
}

export function toDocxDocument(doc: Document): DocxDocument {
  return buildDocx(doc).file;
}

/** The docx document and the list numbering its paragraphs use. */
function buildDocx(
  doc: Document,
  tocPages?: PdfPages,
): { file: DocxDocument; numbering: ListNumbering } {
  const numbering = new ListNumbering();
  markHeadingKeeps(doc, styleOf(doc));
  const file = dispatch(handlers, doc, {
    st: docxStyle(styleOf(doc)),
    bold: false,
    revisions: { next: 1 },
    numbering,
    ...(tocPages ? { tocPages } : {}),
  });
  return { file, numbering };
}

/** The package's parts before zipping, as Packer zips them (docx's compiler, not public API). */
type PartsCompiler = {
  compile(
    file: DocxDocument,
    prettify: undefined,
    overrides: readonly object[],
  ): Map<string, unknown>;
};
const compiler = (Packer as unknown as { compiler?: Partial<PartsCompiler> }).compiler;

/**
 * The parts of the package Packer would zip, in its order; from its zip where needed. `patch`
 * rewrites a text part (before it is encoded, from the compiler).
 */
async function packageParts(
  file: DocxDocument,
  overrides: { path: string; data: string }[],
  patch: (name: string, xml: string) => string,
  viaPacker = false,
): Promise<Record<string, Uint8Array>> {
  if (!viaPacker && typeof compiler?.compile === 'function') {
    // Zipping, then unzipping again to patch one part, would deflate every part (the figures'
    // PNGs too) for nothing: take the parts themselves.
    const parts = (compiler as PartsCompiler).compile(file, undefined, overrides);
    return Object.fromEntries(
      [...parts].map(([k, v]) => {
        if (typeof v === 'string') return [k, strToU8(patch(k, v))];
        const bytes = ArrayBuffer.isView(v)
          ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
          : new Uint8Array(v as ArrayBuffer);
        return [k, PATCHED.includes(k) ? strToU8(patch(k, strFromU8(bytes))) : bytes];
      }),
    );
  }
  const files = unzipSync(await Packer.toBuffer(file, false, overrides));
  for (const k of PATCHED) files[k] = strToU8(patch(k, strFromU8(files[k]!)));
  return files;
}

/** The parts patched after docx writes them. */
const PATCHED = ['word/document.xml', 'word/styles.xml'];

/** CT_PPrBase's children in schema order, up to the justification (what defaults may hold). */
const PPR_ORDER = [
  'pStyle',
  'keepNext',
  'keepLines',
  'pageBreakBefore',
  'framePr',
  'widowControl',
  'numPr',
  'suppressLineNumbers',
  'pBdr',
  'shd',
  'tabs',
  'suppressAutoHyphens',
  'kinsoku',
  'wordWrap',
  'overflowPunct',
  'topLinePunct',
  'autoSpaceDE',
  'autoSpaceDN',
  'bidi',
  'adjustRightInd',
  'snapToGrid',
  'spacing',
  'ind',
  'contextualSpacing',
  'mirrorIndents',
  'suppressOverlap',
  'jc',
];

/**
 * Chinese line breaking for every paragraph (the document defaults): 避头尾 (kinsoku: no line
 * starts with ，。、 or ends with （《), punctuation may overflow the margin — Word's own settings for
 * Chinese, stated outright. No automatic extra space between Chinese and Latin text or digits
 * (autoSpaceDE/DN off): the PDF sets none, and Word adding ~¼ em would make lines wider than the
 * PDF's and move page breaks (LibreOffice ignores the setting and always adds it).
 */
const CJK_DEFAULTS = ['kinsoku', 'overflowPunct', 'autoSpaceDE', 'autoSpaceDN'];
const CJK_DEFAULT_XML: Record<string, string> = {
  kinsoku: '<w:kinsoku/>',
  overflowPunct: '<w:overflowPunct/>',
  autoSpaceDE: '<w:autoSpaceDE w:val="0"/>',
  autoSpaceDN: '<w:autoSpaceDN w:val="0"/>',
};

export function withCjkDefaults(styles: string): string {
  return styles.replace(
    /<w:pPrDefault>(?:<w:pPr>([\s\S]*?)<\/w:pPr>|<w:pPr\/>)?/,
    (_m, inner: string | undefined) => {
      const children = [...(inner ?? '').matchAll(/<w:(\w+)\b(?:[^>]*\/>|[\s\S]*?<\/w:\1>)/g)].map(
        (c) => ({ name: c[1]!, xml: c[0] }),
      );
      const all = [
        ...children.filter((c) => !CJK_DEFAULTS.includes(c.name)),
        ...CJK_DEFAULTS.map((name) => ({ name, xml: CJK_DEFAULT_XML[name]! })),
      ];
      const rank = (n: string) => (PPR_ORDER.includes(n) ? PPR_ORDER.indexOf(n) : PPR_ORDER.length);
      all.sort((x, y) => rank(x.name) - rank(y.name));
      return `<w:pPrDefault><w:pPr>${all.map((c) => c.xml).join('')}</w:pPr>`;
    },
  );
}

/**
 * The finished parts of the package, in Packer's order. `viaPacker`: from Packer's own zip rather
 * than its compiler (the same parts, slower; tests compare the two).
 */
export async function docxParts(
  doc: Document,
  viaPacker = false,
): Promise<Record<string, Uint8Array>> {
  // Fixed core properties, the list numbering and the font table through Packer's override
  // hook; the other parts patched here.
  // A contents gets the PDF's page numbers: the document laid out as the PDF writer lays it out.
  // Taken from the PDF of this very document when this thread has just written it (a build writes
  // that PDF first), else laid out here.
  const tocPages = hasToc(doc)
    ? (pdfPagesOf(doc) ?? (await (await import('../pdf/index.js')).pdfPagination(doc)))
    : undefined;
  const { file, numbering } = buildDocx(doc, tocPages);
  const st = docxStyle(styleOf(doc));
  const overrides = [
    { path: 'docProps/core.xml', data: coreXml(doc) },
    {
      path: 'word/fontTable.xml',
      data: fontTableXml(
        [st.fonts.body, st.fonts.heading].map((f) => ({ latin: f.ascii, chinese: f.eastAsia })),
      ),
    },
    {
      path: 'word/numbering.xml',
      data: numbering.xml(st.fonts.body, twip(st.style.sizes.body)),
    },
  ];
  // docx numbers a TOC's heading bookmarks from a process-wide counter: renumber them in order
  // of appearance so the same input still gives the same bytes.
  return packageParts(
    file,
    overrides,
    (name, xml) =>
      name === 'word/document.xml'
        ? resolveNumIds(renumberBookmarks(xml))
        : name === 'word/styles.xml'
          ? withWidowControl(withCjkDefaults(xml))
          : xml,
    viaPacker,
  );
}

export const docxWriter: Writer = {
  format: 'docx',
  async write(doc) {
    const files = await docxParts(doc);
    // PNGs are already compressed: store them, deflate only the XML parts.
    return zipParts(files, fixedDate(doc.meta.date), (k) => k.startsWith('word/media/'));
  },
};

/** The XML text of one part, for tests and text extraction. */
export function docxPart(buf: Uint8Array, name: string): string {
  const part = unzipSync(buf, { filter: (f) => f.name === name })[name];
  if (!part) throw new Error(`docx has no part ${name}`);
  return strFromU8(part);
}
