// Word writer: IR → docx with 宋体/黑体 eastAsia fonts, real heading styles, A4 and a page footer.
import {
  AlignmentType,
  BorderStyle,
  DeletedTextRun,
  Document as DocxDocument,
  Footer,
  Header,
  HeadingLevel,
  PageBreak,
  TableOfContents,
  ImageRun,
  InsertedTextRun,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
  type FileChild,
  type ParagraphChild,
} from 'docx';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { setZipTimes } from './zip-times.js';
import { figurePng } from '../../figures/raster.js';
import { figureCaption } from '../../ir/text.js';
import { dispatch, type Handlers } from '../../ir/handlers.js';
import {
  columnFractions,
  FONT_SIZE_PT,
  LINE_SPACING,
  PAGE,
  SIGNATURE_INDENT,
  TEXT_WIDTH_PT,
} from '../../ir/layout.js';
import { listMarker } from '../../ir/numbering.js';
import type { Block, Document, Inline } from '../../ir/types.js';
import { WORD_FONTS } from '../../fonts/word.js';
import { eachItem, itemBlocks, type ItemContext } from '../list-context.js';
import { rowContexts } from '../table-context.js';
import { DRAFT_MARK, XML_ILLEGAL, type Writer } from '../types.js';

const twip = (pt: number) => Math.round(pt * 20);
const halfPt = (pt: number) => Math.round(pt * 2);
const LINE = Math.round(240 * LINE_SPACING);
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

interface Ctx {
  readonly bold: boolean;
  /** Shared by the whole document: w:ins/w:del ids must be unique. */
  readonly revisions: { next: number };
  /** Set while writing a list item: which list and which item. */
  readonly item?: ItemContext;
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

const noCtx: Ctx = { bold: false, revisions: { next: 0 } };

const thin = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;

const handlers: Handlers<Ctx, Result> = {
  document: (n, ctx, h) =>
    new DocxDocument({
      creator: n.meta.author,
      // Ask Word to refresh fields (the TOC's page numbers) when the file is opened.
      features: { updateFields: n.children.some((b) => b.type === 'toc') },
      title: n.meta.title,
      subject: n.meta.subject,
      lastModifiedBy: n.meta.author,
      customProperties: (n.meta.properties ?? []).map(([name, value]) => ({ name, value })),
      styles: {
        default: {
          document: {
            run: {
              font: WORD_FONTS.body,
              size: halfPt(FONT_SIZE_PT.body),
              language: { value: 'en-US', eastAsia: 'zh-CN' },
            },
            paragraph: { spacing: { line: LINE, lineRule: LineRuleType.AUTO } },
          },
          title: {
            run: {
              font: WORD_FONTS.heading,
              size: halfPt(FONT_SIZE_PT.title),
              bold: true,
              color: '000000',
            },
            paragraph: { alignment: AlignmentType.CENTER, spacing: { before: 240, after: 360 } },
          },
          heading1: {
            run: {
              font: WORD_FONTS.heading,
              size: halfPt(FONT_SIZE_PT.h1),
              bold: true,
              color: '000000',
            },
            paragraph: { spacing: { before: 240, after: 120, line: LINE }, keepNext: true },
          },
          heading2: {
            run: {
              font: WORD_FONTS.heading,
              size: halfPt(FONT_SIZE_PT.h2),
              bold: true,
              color: '000000',
            },
            paragraph: { spacing: { before: 180, after: 60, line: LINE }, keepNext: true },
          },
          heading3: {
            run: { font: WORD_FONTS.heading, size: halfPt(FONT_SIZE_PT.h3), color: '000000' },
            paragraph: { spacing: { before: 120, after: 60, line: LINE }, keepNext: true },
          },
          heading4: {
            run: { font: WORD_FONTS.heading, size: halfPt(FONT_SIZE_PT.h4), color: '000000' },
            paragraph: { spacing: { before: 120, after: 0, line: LINE }, keepNext: true },
          },
        },
        paragraphStyles: [
          {
            id: TABLE_TEXT,
            name: 'Table Text',
            basedOn: 'Normal',
            quickFormat: true,
            run: { size: halfPt(FONT_SIZE_PT.table) },
            paragraph: { spacing: { line: 276, lineRule: LineRuleType.AUTO } },
          },
        ],
      },
      sections: [
        {
          properties: {
            page: {
              size: { width: twip(PAGE.widthPt), height: twip(PAGE.heightPt) },
              margin: {
                top: twip(PAGE.marginTopPt),
                bottom: twip(PAGE.marginBottomPt),
                left: twip(PAGE.marginSidePt),
                right: twip(PAGE.marginSidePt),
                footer: twip(36),
              },
            },
          },
          ...(n.meta.draft
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
            : {}),
          footers: {
            default: new Footer({
              children: [
                new Paragraph({
                  alignment: AlignmentType.CENTER,
                  children: [
                    new TextRun({
                      size: halfPt(FONT_SIZE_PT.footer),
                      children: [
                        '第 ',
                        PageNumber.CURRENT,
                        ' 页 共 ',
                        PageNumber.TOTAL_PAGES,
                        ' 页',
                      ],
                    }),
                  ],
                }),
              ],
            }),
          },
          children: blocks(n.children, ctx, h),
        },
      ],
    }),
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
    const marker = item ? listMarker(item.list, item.index) : '';
    const hang = twip(FONT_SIZE_PT.body * 2);
    const left = item ? twip(FONT_SIZE_PT.body * 2 * (item.list.depth + 1)) : 0;
    return [
      new Paragraph({
        alignment: ALIGN[n.align],
        keepNext: n.keepWithNext || undefined,
        indent: item
          ? { left, hanging: hang }
          : n.indent
            ? { firstLine: twip(FONT_SIZE_PT.body * 2) }
            : undefined,
        children: [...(marker ? runs(marker, ctx) : []), ...inlines(n.children, ctx, h)],
      }),
    ];
  },
  list: (n, ctx, h) => eachItem(n, ctx, (item, c) => dispatch(h, item, c)),
  listItem: (n, ctx, h) => itemBlocks(n, ctx, (b, c) => dispatch(h, b, c)),
  table: (n, ctx, h) => {
    const total = twip(TEXT_WIDTH_PT);
    const widths = columnFractions(n).map((f) => Math.round(f * total));
    const { head: headCtx, body: bodyCtx } = rowContexts(n, ctx);
    return [
      new Table({
        layout: TableLayoutType.FIXED,
        width: { size: total, type: WidthType.DXA },
        columnWidths: widths,
        margins: { top: 40, bottom: 40, left: 80, right: 80 },
        borders: {
          top: thin,
          bottom: thin,
          left: thin,
          right: thin,
          insideHorizontal: thin,
          insideVertical: thin,
        },
        rows: [
          ...n.head.map((r) => dispatch(h, r, headCtx)),
          ...n.body.map((r) => dispatch(h, r, bodyCtx)),
        ],
      }),
      // Word needs a paragraph between a table and what follows; keep it small.
      new Paragraph({ spacing: { before: 0, after: 0, line: 240 }, children: [] }),
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
          children: inlines(n.children, ctx, h),
        }),
      ],
    }),
  signature: (n, ctx, h) => [
    new Paragraph({ spacing: { before: 240 }, keepNext: true, children: [] }),
    ...n.children.flatMap((l) => dispatch(h, l, ctx)),
  ],
  signatureLine: (n, ctx, h) => [
    new Paragraph({
      keepNext: true,
      keepLines: true,
      indent: { left: twip(TEXT_WIDTH_PT * SIGNATURE_INDENT) },
      spacing: { before: 120 },
      children: [...runs(`${n.label}：`, ctx), ...inlines(n.children, ctx, h)],
    }),
  ],
  clause: (n, ctx, h) => blocks(n.children, ctx, h),
  toc: (n) => [
    new Paragraph({
      heading: HeadingLevel.TITLE,
      children: [new TextRun({ text: n.title, size: halfPt(FONT_SIZE_PT.h1 + 2) })],
    }),
    // A real TOC field over the heading styles; docx fills it with the headings (linked by
    // bookmarks) so it reads right before Word updates the page numbers.
    new TableOfContents(n.title, { hyperlink: true, headingStyleRange: `1-${n.depth}` }),
  ],
  pageBreak: () => [new Paragraph({ children: [new PageBreak()] })],
  figure: (n) => {
    // Printed at its size in points; docx measures images in pixels at 96 per inch.
    const scale = Math.min(1, TEXT_WIDTH_PT / n.width) * (96 / 72);
    return [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        keepNext: true,
        spacing: { before: 120, after: 60, line: 240, lineRule: LineRuleType.AUTO },
        children: [
          new ImageRun({
            type: 'png',
            data: figurePng(n.svg),
            transformation: {
              width: Math.round(n.width * scale),
              height: Math.round(n.height * scale),
            },
            altText: {
              // A fixed drawing id (figure numbers are unique in a document): docx would use a process-wide counter.
              id: String(n.number),
              name: figureCaption(n),
              description: figureCaption(n),
              title: figureCaption(n),
            },
          }),
        ],
      }),
      new Paragraph({
        alignment: AlignmentType.CENTER,
        spacing: { after: 120 },
        children: runs(figureCaption(n), { ...noCtx, bold: false }),
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

export function toDocxDocument(doc: Document): DocxDocument {
  return dispatch(handlers, doc, { bold: false, revisions: { next: 1 } });
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

/** The parts of the package Packer would zip, in its order; from its zip where needed. */
async function packageParts(
  file: DocxDocument,
  overrides: { path: string; data: string }[],
): Promise<Record<string, Uint8Array>> {
  if (typeof compiler?.compile === 'function') {
    // Zipping, then unzipping again to patch one part, would deflate every part (the figures'
    // PNGs too) for nothing: take the parts themselves.
    const parts = (compiler as PartsCompiler).compile(file, undefined, overrides);
    return Object.fromEntries(
      [...parts].map(([k, v]) => [
        k,
        typeof v === 'string'
          ? strToU8(v)
          : ArrayBuffer.isView(v)
            ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
            : new Uint8Array(v as ArrayBuffer),
      ]),
    );
  }
  return unzipSync(await Packer.toBuffer(file, false, overrides));
}

export const docxWriter: Writer = {
  format: 'docx',
  async write(doc) {
    // Fixed core properties through Packer's override hook, fixed zip entry times patched in place.
    const overrides = [{ path: 'docProps/core.xml', data: coreXml(doc) }];
    if (!doc.children.some((b) => b.type === 'toc'))
      return setZipTimes(
        await Packer.toBuffer(toDocxDocument(doc), false, overrides),
        fixedDate(doc.meta.date),
      );
    // docx numbers a TOC's heading bookmarks from a process-wide counter: renumber them in order
    // of appearance so the same input still gives the same bytes.
    const files = await packageParts(toDocxDocument(doc), overrides);
    files['word/document.xml'] = strToU8(renumberBookmarks(strFromU8(files['word/document.xml']!)));
    const mtime = fixedDate(doc.meta.date);
    // PNGs are already compressed: store them, deflate only the XML parts.
    const entries = Object.fromEntries(
      Object.entries(files).map(([k, v]) => [
        k,
        [v, { mtime, level: k.startsWith('word/media/') ? 0 : 6 }],
      ]),
    );
    return Buffer.from(zipSync(entries as Parameters<typeof zipSync>[0]));
  },
};

/** The XML text of one part, for tests and text extraction. */
export function docxPart(buf: Uint8Array, name: string): string {
  const part = unzipSync(buf, { filter: (f) => f.name === name })[name];
  if (!part) throw new Error(`docx has no part ${name}`);
  return strFromU8(part);
}
