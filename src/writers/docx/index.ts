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
  Tab,
  TabStopType,
  TextRun,
  VerticalAlign,
  WidthType,
  type FileChild,
  type ParagraphChild,
} from 'docx';
import { readFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { setZipTimes } from './zip-times.js';
import { figurePng } from '../../figures/raster.js';
import { figureCaption } from '../../ir/text.js';
import { dispatch, type Handlers } from '../../ir/handlers.js';
import {
  columnFractions,
  DEFAULT_HOUSE_STYLE,
  FOOTER_BOTTOM_PT,
  footerParts,
  HEADER_TOP_PT,
  headingSizes,
  PAGE,
  SIGNATURE_INDENT,
  styleOf,
  textWidthPt,
} from '../../ir/layout.js';
import { listMarker } from '../../ir/numbering.js';
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
  /** Paragraph spacing for text of `size` points (body default, headings, title). */
  spacing(size: number): {
    line: number;
    lineRule?: (typeof LineRuleType)[keyof typeof LineRuleType];
  };
}

type WordFont = { readonly ascii: string; readonly hAnsi: string; readonly eastAsia: string };

const wordFont = (f: StyleFont): WordFont => ({
  ascii: f.latin,
  hAnsi: f.latin,
  eastAsia: f.chinese,
});

function docxStyle(style: HouseStyle): DocxStyle {
  const ls = style.lineSpacing;
  const builtIn = style === DEFAULT_HOUSE_STYLE;
  return {
    style,
    textWidth: textWidthPt(style),
    fonts: builtIn
      ? WORD_FONTS
      : { body: wordFont(style.fonts.body), heading: wordFont(style.fonts.heading) },
    spacing: (size) =>
      ls.kind === 'multiple'
        ? { line: Math.round(240 * ls.value) }
        : // Word clips text taller than an exact line: never less than the text needs.
          { line: twip(Math.max(ls.pt, size * 1.2)), lineRule: LineRuleType.EXACT },
  };
}

interface Ctx {
  readonly st: DocxStyle;
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

const noCtx = { bold: false, revisions: { next: 0 } };

const thin = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;

const handlers: Handlers<Ctx, Result> = {
  document: (n, ctx, h) => {
    const { st } = ctx;
    const s = st.style;
    const F = st.fonts;
    const [h1, h2, h3, h4] = headingSizes(s);
    const exact = s.lineSpacing.kind === 'exact';
    const heading = (size: number) =>
      exact ? st.spacing(size) : { line: st.spacing(s.sizes.body).line };
    return new DocxDocument({
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
              font: F.body,
              size: halfPt(s.sizes.body),
              language: { value: 'en-US', eastAsia: 'zh-CN' },
            },
            paragraph: {
              spacing: exact
                ? st.spacing(s.sizes.body)
                : { line: st.spacing(s.sizes.body).line, lineRule: LineRuleType.AUTO },
            },
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
              spacing: { before: 240, after: 360, ...(exact ? st.spacing(s.sizes.title) : {}) },
            },
          },
          heading1: {
            run: {
              font: F.heading,
              size: halfPt(h1),
              bold: true,
              color: '000000',
            },
            paragraph: { spacing: { before: 240, after: 120, ...heading(h1) }, keepNext: true },
          },
          heading2: {
            run: {
              font: F.heading,
              size: halfPt(h2),
              bold: true,
              color: '000000',
            },
            paragraph: { spacing: { before: 180, after: 60, ...heading(h2) }, keepNext: true },
          },
          heading3: {
            run: { font: F.heading, size: halfPt(h3), color: '000000' },
            paragraph: { spacing: { before: 120, after: 60, ...heading(h3) }, keepNext: true },
          },
          heading4: {
            run: { font: F.heading, size: halfPt(h4), color: '000000' },
            paragraph: { spacing: { before: 120, after: 0, ...heading(h4) }, keepNext: true },
          },
        },
        paragraphStyles: [
          {
            id: TABLE_TEXT,
            name: 'Table Text',
            basedOn: 'Normal',
            quickFormat: true,
            run: { size: halfPt(s.sizes.table) },
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
                top: twip(s.margins.top),
                bottom: twip(s.margins.bottom),
                left: twip(s.margins.left),
                right: twip(s.margins.right),
                footer: twip(FOOTER_BOTTOM_PT),
                ...(s.header ? { header: twip(HEADER_TOP_PT) } : {}),
              },
            },
          },
          ...(s.header
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
              : {}),
          footers: {
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
                            : PageNumber.TOTAL_PAGES,
                      ),
                    }),
                  ],
                }),
              ],
            }),
          },
          children: blocks(n.children, ctx, h),
        },
      ],
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
    const marker = item ? listMarker(item.list, item.index) : '';
    const em = ctx.st.style.sizes.body;
    const hang = twip(em * 2);
    const left = item ? twip(em * 2 * (item.list.depth + 1)) : 0;
    return [
      new Paragraph({
        alignment: ALIGN[n.align],
        keepNext: n.keepWithNext || undefined,
        indent: item ? { left, hanging: hang } : n.indent ? { firstLine: twip(em * 2) } : undefined,
        children: [...(marker ? runs(marker, ctx) : []), ...inlines(n.children, ctx, h)],
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
      indent: { left: twip(ctx.st.textWidth * SIGNATURE_INDENT) },
      spacing: { before: 120 },
      children: [...runs(`${n.label}：`, ctx), ...inlines(n.children, ctx, h)],
    }),
  ],
  clause: (n, ctx, h) => blocks(n.children, ctx, h),
  toc: (n, ctx) => [
    new Paragraph({
      heading: HeadingLevel.TITLE,
      children: [new TextRun({ text: n.title, size: halfPt(ctx.st.style.sizes.heading1 + 2) })],
    }),
    // A real TOC field over the heading styles; docx fills it with the headings (linked by
    // bookmarks) so it reads right before Word updates the page numbers.
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
        children: runs(figureCaption(n), { ...ctx, ...noCtx }),
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
  return dispatch(handlers, doc, {
    st: docxStyle(styleOf(doc)),
    bold: false,
    revisions: { next: 1 },
  });
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

/**
 * The font table naming the house style's fonts (docx writes an empty one): Word reads each
 * font's character set from it when the reader's machine must substitute a font it lacks.
 */
function fontTableXml(style: HouseStyle): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const fonts = new Map<string, string>();
  for (const f of [style.fonts.body, style.fonts.heading]) {
    fonts.set(f.chinese, '86'); // GB2312
    if (!fonts.has(f.latin)) fonts.set(f.latin, '00');
  }
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<w:fonts xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
    [...fonts]
      .map(
        ([name, charset]) =>
          `<w:font w:name="${esc(name)}"><w:charset w:val="${charset}"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>`,
      )
      .join('') +
    '</w:fonts>'
  );
}

export const docxWriter: Writer = {
  format: 'docx',
  async write(doc) {
    // Fixed core properties through Packer's override hook, fixed zip entry times patched in place.
    const overrides = [{ path: 'docProps/core.xml', data: coreXml(doc) }];
    const style = styleOf(doc);
    if (style !== DEFAULT_HOUSE_STYLE)
      overrides.push({ path: 'word/fontTable.xml', data: fontTableXml(style) });
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
