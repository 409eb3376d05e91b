// PDF writer: IR → pdfmake document definition → PDF, with embedded Noto CJK fonts from npm, or
// the workspace's own font files when the house style names them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pdfmake from 'pdfmake';
import type { Content, TableCell as PdfCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { TenderKitError } from '../../diagnostics/diagnostic.js';
import { dispatch, type Handlers } from '../../ir/handlers.js';
import {
  columnFractions,
  DEFAULT_HOUSE_STYLE,
  displayWidth,
  FOOTER_BOTTOM_PT,
  footerText,
  HEADER_TOP_PT,
  headingSizes,
  PAGE,
  SIGNATURE_INDENT,
  styleOf,
  textWidthPt,
} from '../../ir/layout.js';
import { listMarker } from '../../ir/numbering.js';
import { figureCaption } from '../../ir/text.js';
import type { Block, Document, HouseStyle, Inline, PdfFont } from '../../ir/types.js';
import { FONT_FILES, type FontKey } from '../../fonts/files.js';
import { fileVersionKey, parsedFontFile, parsedFonts } from '../../fonts/parsed.js';
import { eachItem, itemBlocks, type ItemContext } from '../list-context.js';
import { rowContexts } from '../table-context.js';
import { DRAFT_MARK, XML_ILLEGAL, type Writer } from '../types.js';
import { findMissingGlyphs } from './glyphs.js';

let configured = false;
/**
 * Puts the fonts, parsed once per process, into pdfmake's virtual file system (its route for font
 * data held in memory); pdfmake hands them to pdfkit's `doc.font()`, which takes parsed fontkit
 * fonts since pdfkit 0.20. Denies pdfmake every URL and every local file: nothing in a document
 * definition can make it read anything else.
 */
function configure(): void {
  if (configured) return;
  const data = parsedFonts();
  const f = Object.fromEntries(
    Object.entries(FONT_FILES).map(([k, file]) => {
      const name = `tenderkit-fonts/${path.basename(file)}`;
      pdfmake.virtualfs.writeFileSync(name, data[k as FontKey]);
      return [k, name];
    }),
  ) as Record<FontKey, string>;
  pdfmake.addFonts({
    Song: {
      normal: f.serifRegular,
      bold: f.serifBold,
      italics: f.serifRegular,
      bolditalics: f.serifBold,
    },
    Hei: {
      normal: f.sansRegular,
      bold: f.sansBold,
      italics: f.sansRegular,
      bolditalics: f.sansBold,
    },
  });
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy(() => false);
  configured = true;
}

/** pdfmake family names of workspace font files, by file version (path, size, time). */
const fileFamilies = new Map<string, string>();

/**
 * The pdfmake family that draws with `font`. A workspace font file (the house style's) is read and
 * parsed here, on the thread that writes (the PDF writer thread too), from the real path checked
 * when the settings were read, and put into the virtual file system like the built-in fonts: the
 * local access policy stays closed, so pdfmake itself still reads no file at all.
 */
function familyOf(font: PdfFont): string {
  if (font.kind === 'builtin') return font.name === 'noto-sans-sc' ? 'Hei' : 'Song';
  const regularKey = fileVersionKey(font.regular);
  const boldKey = font.bold === font.regular ? regularKey : fileVersionKey(font.bold);
  const key = `${regularKey}\0${boldKey}`;
  let family = fileFamilies.get(key);
  if (!family) {
    family = `W${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
    const put = (file: string, k: string, face: string) => {
      const name = `tenderkit-style/${family}-${face}${path.extname(file).toLowerCase()}`;
      pdfmake.virtualfs.writeFileSync(name, parsedFontFile(file, k));
      return name;
    };
    const normal = put(font.regular, regularKey, 'regular');
    const bold = font.bold === font.regular ? normal : put(font.bold, boldKey, 'bold');
    pdfmake.addFonts({ [family]: { normal, bold, italics: normal, bolditalics: bold } });
    fileFamilies.set(key, family);
  }
  return family;
}

/** The name the logo has in a document definition's `images`. */
const LOGO_IMAGE = 'tenderkit-logo';

/**
 * The house style's logo, read on this thread: SVG as text, PNG put into the virtual file system
 * (named in the definition's `images`, so pdfmake reads no file for it either).
 */
function logoOf(style: HouseStyle): { svg: string } | { file: string } | undefined {
  const logo = style.header?.logo;
  if (!logo) return undefined;
  const bytes = readFileSync(logo.file);
  if (logo.format === 'svg') return { svg: bytes.toString('utf8') };
  const name = `tenderkit-style/logo-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.png`;
  if (!pdfmake.virtualfs.existsSync(name)) pdfmake.virtualfs.writeFileSync(name, bytes);
  return { file: name };
}

/** Height of one line of a font at 1 pt, as pdfmake measures it (ascent − descent over the em). */
function lineUnit(font: PdfFont): number {
  const f =
    font.kind === 'file'
      ? parsedFontFile(font.regular)
      : parsedFonts()[font.name === 'noto-sans-sc' ? 'sansRegular' : 'serifRegular'];
  return (f.ascent - f.descent) / f.unitsPerEm;
}

const LINE_HEIGHT = 1.25; // Noto's own line gap makes this look like Word's 1.5 lines.
/** pdfmake line height per Word “lines” of spacing (1.5 lines in Word ↔ 1.25 here). */
const PER_WORD_LINE = LINE_HEIGHT / 1.5;

/** The house style as this writer uses it: family names, sizes and line heights. */
interface PdfStyle {
  readonly style: HouseStyle;
  readonly body: string;
  readonly heading: string;
  readonly em: number;
  readonly textWidth: number;
  readonly headingSize: readonly number[];
  /** pdfmake `lineHeight` for text of `size` points in the body or heading font. */
  lineHeight(role: 'body' | 'heading', size: number): number;
}

function pdfStyle(style: HouseStyle): PdfStyle {
  const body = familyOf(style.fonts.body.pdf);
  const heading = familyOf(style.fonts.heading.pdf);
  const ls = style.lineSpacing;
  return {
    style,
    body,
    heading,
    em: style.sizes.body,
    textWidth: textWidthPt(style),
    headingSize: headingSizes(style),
    lineHeight: (role, size) =>
      ls.kind === 'multiple'
        ? ls.value * PER_WORD_LINE
        : // Exact spacing; never below what the text itself needs (as the docx writer).
          Math.max(ls.pt, size * 1.2) / (lineUnit(style.fonts[role].pdf) * size),
  };
}

interface Ctx {
  readonly st: PdfStyle;
  readonly bold: boolean;
  /** Headings down to this level are listed in the document's table of contents. */
  readonly tocDepth?: number;
  readonly item?: ItemContext;
  readonly align?: 'left' | 'center' | 'right';
  readonly aligns?: readonly ('left' | 'center' | 'right')[];
  readonly header?: boolean;
}

type Inlines = Content[];
type Result = {
  document: TDocumentDefinitions;
  title: Content[];
  heading: Content[];
  paragraph: Content[];
  list: Content[];
  listItem: Content[];
  table: Content[];
  tableRow: PdfCell[];
  tableCell: PdfCell;
  signature: Content[];
  signatureLine: Content[];
  clause: Content[];
  figure: Content[];
  toc: Content[];
  pageBreak: Content[];
  text: Inlines;
  strong: Inlines;
  var: Inlines;
  break: Inlines;
  revision: Inlines;
};

const clean = (s: string) => s.replace(XML_ILLEGAL, '');
const span = (text: string, ctx: Ctx) =>
  [ctx.bold ? { text: clean(text), bold: true } : clean(text)] as Inlines;
const inlines = (list: readonly Inline[], ctx: Ctx, h: Handlers<Ctx, Result>) =>
  list.flatMap((n) => dispatch(h, n, ctx)) as Inlines;
const blocks = (list: readonly Block[], ctx: Ctx, h: Handlers<Ctx, Result>) =>
  list.flatMap((n) => dispatch(h, n, ctx) as Content[]);

const handlers: Handlers<Ctx, Result> = {
  document: (n, ctx, h) => {
    const when = new Date(`${n.meta.date}T00:00:00Z`);
    const { st } = ctx;
    const s = st.style;
    const m = s.margins;
    const custom = s !== DEFAULT_HOUSE_STYLE;
    return {
      pageSize: 'A4',
      pageMargins: [m.left, m.top, m.right, m.bottom],
      info: {
        title: n.meta.title,
        author: n.meta.author,
        subject: n.meta.subject,
        creator: 'TenderKit',
        producer: 'TenderKit',
        creationDate: when,
        modDate: when,
        ...Object.fromEntries(n.meta.properties ?? []),
      },
      defaultStyle: {
        font: st.body,
        fontSize: s.sizes.body,
        lineHeight: st.lineHeight('body', s.sizes.body),
      },
      ...(s.header ? houseHeader(st, n.meta.draft) : {}),
      ...(n.meta.draft && !s.header
        ? {
            watermark: {
              text: DRAFT_MARK,
              font: 'Hei',
              bold: true,
              color: '#C00000',
              opacity: 0.12,
              angle: -45,
            },
            header: () => ({
              text: DRAFT_MARK,
              font: 'Hei',
              bold: true,
              color: '#C00000',
              fontSize: 14,
              alignment: 'right',
              margin: [0, 30, PAGE.marginSidePt, 0],
            }),
          }
        : {}),
      ...(n.meta.draft && s.header
        ? {
            watermark: {
              text: DRAFT_MARK,
              font: 'Hei',
              bold: true,
              color: '#C00000',
              opacity: 0.12,
              angle: -45,
            },
          }
        : {}),
      footer: (current: number, total: number) => ({
        text: custom ? footerText(s.footer, current, total) : `第 ${current} 页 共 ${total} 页`,
        alignment: 'center',
        fontSize: s.sizes.footer,
        // The footer's top FOOTER_BOTTOM_PT above the page's bottom edge (as Word's w:footer).
        margin: [0, Math.max(0, m.bottom - FOOTER_BOTTOM_PT), 0, 0],
      }),
      // Never leave a heading alone at the foot of a page.
      pageBreakBefore: (node, q) =>
        Boolean(node.headlineLevel) && q.getFollowingNodesOnPage().length === 0,
      content: keepTogether(blocks(n.children, ctx, h)),
    };
  },
  title: (n, ctx, h) => [
    {
      text: inlines(n.children, { ...ctx, bold: true }, h),
      font: ctx.st.heading,
      fontSize: ctx.st.style.sizes.title,
      ...(ctx.st.style.lineSpacing.kind === 'exact'
        ? { lineHeight: ctx.st.lineHeight('heading', ctx.st.style.sizes.title) }
        : {}),
      alignment: 'center',
      margin: [0, 0, 0, 18],
    },
  ],
  heading: (n, ctx, h) => [
    {
      text: [...span(n.label, ctx), ...inlines(n.children, ctx, h)],
      font: ctx.st.heading,
      bold: n.level <= 2,
      fontSize: ctx.st.headingSize[n.level - 1],
      ...(ctx.st.style.lineSpacing.kind === 'exact'
        ? { lineHeight: ctx.st.lineHeight('heading', ctx.st.headingSize[n.level - 1]!) }
        : {}),
      headlineLevel: n.level,
      // Listed in the table of contents (pdfmake fills in page numbers).
      ...(ctx.tocDepth && n.level <= ctx.tocDepth
        ? { tocItem: true, tocMargin: [(n.level - 1) * 2 * ctx.st.em, 0, 0, 0] }
        : {}),
      margin: [0, n.level === 1 ? 12 : 9, 0, n.level === 1 ? 6 : 3],
    },
  ],
  paragraph: (n, ctx, h) => {
    const text = inlines(n.children, ctx, h);
    const item = ctx.item;
    if (!item) {
      const p: Content = {
        text,
        alignment: n.align,
        leadingIndent: n.indent ? 2 * ctx.st.em : 0,
        margin: [0, 0, 0, 3],
      };
      if (n.keepWithNext) KEEP_WITH_NEXT.add(p);
      return [p];
    }
    // Wide markers such as （12） get the room they need instead of wrapping.
    const marker = listMarker(item.list, item.index).trimEnd();
    return [
      {
        columns: [
          { text: marker, width: Math.max(2, displayWidth(marker) / 2 + 0.5) * ctx.st.em },
          { text, width: '*' },
        ],
        columnGap: 0,
        margin: [2 * ctx.st.em * item.list.depth, 0, 0, 3],
      },
    ];
  },
  list: (n, ctx, h) => eachItem(n, ctx, (item, c) => dispatch(h, item, c)),
  listItem: (n, ctx, h) => itemBlocks(n, ctx, (b, c) => dispatch(h, b, c)),
  table: (n, ctx, h) => {
    const widths = columnFractions(n, ctx.st.style).map((f) => f * ctx.st.textWidth - 8); // minus cell padding
    const { head: headCtx, body: bodyCtx } = rowContexts(n, ctx);
    return [
      {
        table: {
          headerRows: n.head.length,
          dontBreakRows: true,
          widths,
          body: [
            ...n.head.map((r) => dispatch(h, r, headCtx)),
            ...n.body.map((r) => dispatch(h, r, bodyCtx)),
          ],
        },
        layout: {
          hLineWidth: () => 0.5,
          vLineWidth: () => 0.5,
          paddingLeft: () => 4,
          paddingRight: () => 4,
          paddingTop: () => 3,
          paddingBottom: () => 3,
        },
        fontSize: ctx.st.style.sizes.table,
        lineHeight: 1.15,
        margin: [0, 3, 0, 9],
      },
    ];
  },
  tableRow: (n, ctx, h) =>
    n.children.map((c, i) => dispatch(h, c, { ...ctx, align: ctx.aligns?.[i] ?? 'left' })),
  tableCell: (n, ctx, h) => ({ text: inlines(n.children, ctx, h), alignment: ctx.align ?? 'left' }),
  signature: (n, ctx, h) => [
    {
      stack: n.children.flatMap((l) => dispatch(h, l, ctx)),
      unbreakable: true,
      margin: [ctx.st.textWidth * SIGNATURE_INDENT, 18, 0, 0],
    },
  ],
  signatureLine: (n, ctx, h) => [
    { text: [...span(`${n.label}：`, ctx), ...inlines(n.children, ctx, h)], margin: [0, 6, 0, 0] },
  ],
  clause: (n, ctx, h) => blocks(n.children, ctx, h),
  toc: (n, ctx) => [
    {
      toc: {
        title: {
          text: n.title,
          font: ctx.st.heading,
          bold: true,
          fontSize: ctx.st.style.sizes.heading1 + 2,
          alignment: 'center',
          margin: [0, 0, 0, 12],
        },
        textStyle: { fontSize: ctx.st.style.sizes.body },
        numberStyle: { fontSize: ctx.st.style.sizes.body },
        textMargin: [0, 2, 0, 2],
      },
    },
  ],
  pageBreak: () => [{ text: '', pageBreak: 'after' }],
  figure: (n, ctx) => [
    {
      stack: [
        { svg: n.svg, width: Math.min(n.width, ctx.st.textWidth), alignment: 'center' },
        {
          text: figureCaption(n),
          alignment: 'center',
          fontSize: ctx.st.style.sizes.table,
          margin: [0, 4, 0, 0],
        },
      ],
      unbreakable: true,
      margin: [0, 6, 0, 9],
    },
  ],
  text: (n, ctx) => span(n.value, ctx),
  strong: (n, ctx, h) => inlines(n.children, { ...ctx, bold: true }, h),
  var: (n, ctx) => span(n.value, ctx),
  break: () => ['\n'] as Inlines,
  revision: (n, ctx) => [
    {
      text: clean(n.value),
      bold: ctx.bold || undefined,
      decoration: n.kind === 'insert' ? 'underline' : 'lineThrough',
      color: n.kind === 'insert' ? '#1D4ED8' : '#B91C1C',
    },
  ],
};

/** pdfmake has no keep-with-next: content made from a `keepWithNext` paragraph is remembered here… */
const KEEP_WITH_NEXT = new WeakSet<object>();

/** …and put in one unbreakable stack with the content that follows it. */
function keepTogether(content: Content[]): Content[] {
  const out: Content[] = [];
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    const next = content[i + 1];
    if (typeof c === 'object' && KEEP_WITH_NEXT.has(c) && next !== undefined) {
      out.push({ stack: [c, next], unbreakable: true });
      i++;
    } else out.push(c);
  }
  return out;
}

/**
 * The house header on every page: the logo on the left, the text on the right, a rule below; the
 * draft mark (a draft document) above them. Starts HEADER_TOP_PT below the page's top edge.
 */
function houseHeader(
  st: PdfStyle,
  draft: boolean,
): Pick<TDocumentDefinitions, 'header' | 'images'> {
  const s = st.style;
  const logo = logoOf(s);
  const l = s.header?.logo;
  const picture =
    logo && l
      ? 'svg' in logo
        ? { svg: logo.svg, width: l.widthPt, height: l.heightPt }
        : { image: LOGO_IMAGE, width: l.widthPt, height: l.heightPt }
      : { text: '', width: 0 };
  const textHeight = s.sizes.header * 1.25;
  const rowHeight = Math.max(l?.heightPt ?? 0, s.header?.text ? textHeight : 0);
  const header: Content = {
    margin: [s.margins.left, HEADER_TOP_PT, s.margins.right, 0],
    stack: [
      {
        columns: [
          picture,
          {
            text: s.header?.text ?? '',
            font: st.body,
            fontSize: s.sizes.header,
            lineHeight: 1.25,
            alignment: 'right',
            width: '*',
            margin: [0, Math.max(0, rowHeight - textHeight), 0, 0],
          },
        ],
        columnGap: 6,
      },
      {
        canvas: [{ type: 'line', x1: 0, y1: 2, x2: st.textWidth, y2: 2, lineWidth: 0.5 }],
      },
    ],
  };
  const mark: Content = {
    text: DRAFT_MARK,
    font: 'Hei',
    bold: true,
    color: '#C00000',
    fontSize: 14,
    alignment: 'right',
    margin: [0, 12, s.margins.right, 0],
  };
  // A draft mark sits above the house header, which then starts lower by the mark's height.
  return {
    ...(logo && 'file' in logo ? { images: { [LOGO_IMAGE]: logo.file } } : {}),
    header: () =>
      draft
        ? {
            stack: [
              mark,
              {
                ...(header as object),
                margin: [s.margins.left, HEADER_TOP_PT - 12 - 14 * 1.25, s.margins.right, 0],
              } as Content,
            ],
          }
        : header,
  };
}

export function toPdfDefinition(doc: Document): TDocumentDefinitions {
  const toc = doc.children.find((b) => b.type === 'toc');
  return dispatch(handlers, doc, {
    st: pdfStyle(styleOf(doc)),
    bold: false,
    tocDepth: toc?.type === 'toc' ? toc.depth : undefined,
  });
}

export const pdfWriter: Writer = {
  format: 'pdf',
  async write(doc) {
    const missing = findMissingGlyphs(doc);
    if (missing.length) throw new TenderKitError(missing);
    configure();
    return pdfmake.createPdf(toPdfDefinition(doc)).getBuffer();
  },
};
