// PDF writer: IR → pdfmake document definition → PDF, with embedded Noto CJK fonts from npm, or
// the workspace's own font files when the house style names them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
// Before pdfmake: stand-ins for modules it would load and never use (lazy-deps.ts).
import '../../fonts/lazy-deps.js';
import pdfmake from 'pdfmake';
import type {
  CanvasElement,
  Column,
  Content,
  Node as PdfNode,
  NodeQueries,
  TableCell as PdfCell,
  TDocumentDefinitions,
} from 'pdfmake/interfaces.js';
import { TenderKitError } from '../../diagnostics/diagnostic.js';
import { dispatch, type Handlers } from '../../ir/handlers.js';
import {
  breakablePieces,
  columnFractions,
  DEFAULT_HOUSE_STYLE,
  displayWidth,
  FOOTER_BOTTOM_PT,
  footerText,
  frontMatter,
  HEADER_TOP_PT,
  headingSizes,
  PAGE,
  SIGNATURE_INDENT,
  styleOf,
  textWidthPt,
} from '../../ir/layout.js';
import { listMarker } from '../../ir/numbering.js';
import { figureCaption, flatBlocks, inlineText } from '../../ir/text.js';
import { recordPdfPages } from '../pdf-pages.js';
import type {
  Block,
  Document,
  Figure,
  Heading,
  HouseStyle,
  Inline,
  PdfFont,
} from '../../ir/types.js';
import { FONT_FILES, type FontKey } from '../../fonts/files.js';
import { fileVersionKey, parsedFontFile, parsedFonts } from '../../fonts/parsed.js';
import { eachItem, itemBlocks, type ItemContext } from '../list-context.js';
import { rowContexts } from '../table-context.js';
import { DRAFT_MARK, XML_ILLEGAL, type Writer } from '../types.js';
import { sharedGlyphDecode } from './glyph-decode.js';
import { keepLaidOutPages, textAbove, textBelow } from './final-pages.js';
import { findMissingGlyphs } from './glyphs.js';
import { measureOnce } from './measure-once.js';
import { sharedShaping } from './shaping.js';
import { textStreams } from './streams.js';
import { fastTextMeasure } from './text-measure.js';
import { fastStyleLookup } from './styles.js';

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
  // The keep rules read the laid-out pages (a correction, not a shortcut: always on).
  keepLaidOutPages();
  // pdfmake's and pdfkit's own code (style lookup, shaping per document, measuring every layout
  // pass and every piece of text, content as small byte arrays, glyphs decoded for each subset),
  // for comparison (same bytes).
  if (process.env.TENDERKIT_PDF_PLAIN !== '1') {
    fastStyleLookup();
    sharedShaping(data.sansRegular);
    measureOnce();
    textStreams();
    fastTextMeasure();
    sharedGlyphDecode(data.serifRegular);
  }
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
  // A collection's (.ttc) faces: which fonts of the files draw.
  const sameFace = font.bold === font.regular && font.boldFace === font.regularFace;
  const faces =
    font.regularFace === undefined && font.boldFace === undefined
      ? ''
      : `\0${font.regularFace ?? ''}\0${font.boldFace ?? ''}`;
  const key = `${regularKey}\0${boldKey}${faces}`;
  let family = fileFamilies.get(key);
  if (!family) {
    family = `W${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
    const put = (file: string, index: number | undefined, k: string, face: string) => {
      const name = `tenderkit-style/${family}-${face}${path.extname(file).toLowerCase()}`;
      pdfmake.virtualfs.writeFileSync(name, parsedFontFile(file, index, k));
      return name;
    };
    const normal = put(font.regular, font.regularFace, regularKey, 'regular');
    const bold = sameFace ? normal : put(font.bold, font.boldFace, boldKey, 'bold');
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

/** The parsed font that draws with `font` (regular face). */
function fontOf(font: PdfFont): ReturnType<typeof parsedFontFile> {
  return font.kind === 'file'
    ? parsedFontFile(font.regular, font.regularFace)
    : parsedFonts()[font.name === 'noto-sans-sc' ? 'sansRegular' : 'serifRegular'];
}

/** Height of one line of a font at 1 pt, as pdfmake measures it (ascent − descent over the em). */
function lineUnit(font: PdfFont): number {
  const f = fontOf(font);
  return (f.ascent - f.descent) / f.unitsPerEm;
}

/** Width of `text` at `size` points, measured as pdfkit measures it (laid out between spaces). */
function advance(font: PdfFont, text: string, size: number): number {
  const f = fontOf(font);
  let units = 0;
  for (const run of text.match(/[^ \t]*[ \t]?/g) ?? [])
    if (run) for (const p of f.layout(run).positions) units += p.xAdvance;
  return (units / f.unitsPerEm) * size;
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

/** A heading's id (its bookmark and link target), the id of the bookmark it nests under, its node. */
interface HeadingRef {
  readonly id: string;
  readonly parent?: string;
  node: Placed;
}

/** Where pdfmake records a laid-out node's lines: one position per line (it fills it in place). */
interface Placed {
  positions?: { pageNumber: number; top: number }[];
}

/**
 * What the writer learns about the layout while pdfmake lays out the pages: pdfmake fills in the
 * positions of the very objects of the document definition, so the paragraph behind a node, a
 * heading's page and the first body page are read from them.
 */
interface Layout {
  /** The text node of each heading, by IR node (its id, bookmark and contents entry). */
  readonly headings: Map<Heading, HeadingRef>;
  /** Text nodes of body paragraphs, by their `text` array (pdfmake hands out the array). */
  readonly paragraphs: WeakMap<object, Placed>;
  /** The `text` arrays of list markers (their line is the item's first line). */
  readonly markers: WeakSet<object>;
  /**
   * Lead-ins (IR `introducesList`): the outer node's `text` array (a paragraph) or `columns`
   * array (a list item: marker and text), with the paragraph behind it…
   */
  readonly leadIns: WeakMap<object, Placed>;
  /** …and those paragraphs. */
  readonly leadInParagraphs: WeakSet<Placed>;
  /** The first node of the body, when the document has front matter. */
  bodyStart?: Placed;
}

interface Ctx {
  readonly st: PdfStyle;
  readonly bold: boolean;
  readonly layout: Layout;
  readonly item?: ItemContext;
  readonly align?: 'left' | 'center' | 'right';
  readonly aligns?: readonly ('left' | 'center' | 'right')[];
  readonly header?: boolean;
  /** Inside a justified paragraph: long numbers and addresses may break at their punctuation. */
  readonly breakable?: boolean;
  /** Inside the cover page: paragraphs are set larger and further apart. */
  readonly cover?: boolean;
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
/**
 * A run of text. In a justified paragraph a long number or address is cut into pieces with an
 * empty span between them: pdfmake then may break the line there (and only there), which it
 * otherwise never does inside `0731-8890-5566` or an e-mail address, leaving a gap at the right.
 */
const span = (text: string, ctx: Ctx): Inlines => {
  const pieces = ctx.breakable ? breakablePieces(clean(text)) : [clean(text)];
  const out: Inlines = [];
  pieces.forEach((p, i) => {
    if (i > 0) out.push(ctx.bold ? { text: '', bold: true } : { text: '' });
    out.push(ctx.bold ? { text: p, bold: true } : p);
  });
  return out;
};
const inlines = (list: readonly Inline[], ctx: Ctx, h: Handlers<Ctx, Result>) =>
  list.flatMap((n) => dispatch(h, n, ctx)) as Inlines;
const blocks = (list: readonly Block[], ctx: Ctx, h: Handlers<Ctx, Result>) =>
  list.flatMap((n) => dispatch(h, n, ctx) as Content[]);

/** Page furniture (header, footer): never counted as content following a heading. */
const FURNITURE = 'tkFurniture';
/** Cell padding of tables, in points. */
const CELL_PAD_X = 4;
const CELL_PAD_Y = 3;

const handlers: Handlers<Ctx, Result> = {
  document: (n, ctx, h) => {
    const when = new Date(`${n.meta.date}T00:00:00Z`);
    const { st, layout } = ctx;
    const s = st.style;
    const m = s.margins;
    const custom = s !== DEFAULT_HOUSE_STYLE;
    const front = frontMatter(n);
    const coverBlocks = n.children.slice(0, front.cover);
    const frontBlocks = n.children.slice(front.cover, front.body);
    const bodyBlocks = n.children.slice(front.body);
    const body = keepTogether(blocks(bodyBlocks, ctx, h));
    if (front.body > 0 && body[0] && typeof body[0] === 'object')
      layout.bodyStart = body[0] as Placed;
    /** Pages before the body (cover, contents): unnumbered; the body counts from 1. */
    const frontPages = () => (layout.bodyStart?.positions?.[0]?.pageNumber ?? 1) - 1;
    const clean = n.meta.cleanMetadata === true;
    const pdfa = n.meta.pdfa === true;
    return {
      pageSize: 'A4',
      pageMargins: [m.left, m.top, m.right, m.bottom],
      ...(pdfa ? { version: '1.7' as const, subset: 'PDF/A-2b' as const } : {}),
      info: {
        title: n.meta.title,
        author: n.meta.author,
        subject: n.meta.subject,
        // Without tool fingerprints the bidder is also the creator (pdfmake would name itself).
        creator: clean ? n.meta.author : 'TenderKit',
        producer: clean ? n.meta.author : 'TenderKit',
        creationDate: when,
        modDate: when,
        ...Object.fromEntries(n.meta.properties ?? []),
      },
      defaultStyle: {
        font: st.body,
        fontSize: s.sizes.body,
        lineHeight: st.lineHeight('body', s.sizes.body),
      },
      styles: { [FURNITURE]: {} },
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
              style: FURNITURE,
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
      footer: (current: number, total: number) => {
        const skip = frontPages();
        if (current <= skip) return null;
        const page = current - skip;
        const pages = total - skip;
        return {
          text: custom ? footerText(s.footer, page, pages) : `第 ${page} 页 共 ${pages} 页`,
          style: FURNITURE,
          alignment: 'center',
          fontSize: s.sizes.footer,
          // The footer's top FOOTER_BOTTOM_PT above the page's bottom edge (as Word's w:footer).
          margin: [0, Math.max(0, m.bottom - FOOTER_BOTTOM_PT), 0, 0],
        };
      },
      pageBreakBefore: (node, q) => breakBefore(node, q, layout),
      content: breaksBefore([
        ...(coverBlocks.length ? [coverPage(coverBlocks, ctx, h)] : []),
        ...blocks(frontBlocks, ctx, h),
        ...body,
      ]),
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
      margin: [0, 0, 0, ctx.cover ? 36 : 18],
    },
  ],
  heading: (n, ctx, h) => {
    const ref = ctx.layout.headings.get(n);
    const node: Content & Placed = {
      text: [...span(n.label, ctx), ...inlines(n.children, ctx, h)],
      font: ctx.st.heading,
      bold: n.level <= 2,
      fontSize: ctx.st.headingSize[n.level - 1],
      ...(ctx.st.style.lineSpacing.kind === 'exact'
        ? { lineHeight: ctx.st.lineHeight('heading', ctx.st.headingSize[n.level - 1]!) }
        : {}),
      headlineLevel: n.level,
      // A bookmark (nested under the heading above it) and the target of the contents entry.
      ...(ref
        ? {
            id: ref.id,
            outline: true,
            outlineText: clean(n.label + inlineText(n.children)),
            ...(ref.parent ? { outlineParentId: ref.parent } : {}),
          }
        : {}),
      margin: [0, n.level === 1 ? 12 : 9, 0, n.level === 1 ? 6 : 3],
    };
    if (ref) ref.node = node;
    return [node];
  },
  paragraph: (n, ctx, h) => {
    const justify = n.align === 'left' && !ctx.cover;
    const text = inlines(n.children, { ...ctx, breakable: justify }, h);
    const item = ctx.item;
    if (!item) {
      const p: Content = {
        text,
        // 两端对齐: every line but a paragraph's last fills the measure (pdfmake spreads the
        // room between the characters of a Chinese line, each being a word of its own to it).
        alignment: justify ? 'justify' : n.align,
        leadingIndent: n.indent ? 2 * ctx.st.em : 0,
        ...(ctx.cover
          ? { fontSize: ctx.st.style.sizes.heading1, margin: [0, 0, 0, 12] }
          : { margin: [0, 0, 0, 3] }),
      };
      ctx.layout.paragraphs.set(text, p as Placed);
      if (n.keepWithNext) KEEP_WITH_NEXT.add(p);
      if (n.introducesList) {
        ctx.layout.leadIns.set(text, p as Placed);
        ctx.layout.leadInParagraphs.add(p as Placed);
      }
      return [p];
    }
    // Wide markers such as （12） get the room they need instead of wrapping.
    const marker = listMarker(item.list, item.index).trimEnd();
    const body = { text, width: '*', alignment: 'justify' } as Content;
    ctx.layout.paragraphs.set(text, body as Placed);
    const markerText = [marker];
    ctx.layout.markers.add(markerText);
    const columns: Column[] = [
      { text: markerText, width: Math.max(2, displayWidth(marker) / 2 + 0.5) * ctx.st.em },
      body,
    ];
    if (n.introducesList) {
      ctx.layout.leadIns.set(columns, body as Placed);
      ctx.layout.leadInParagraphs.add(body as Placed);
    }
    return [
      {
        columns,
        columnGap: 0,
        margin: [2 * ctx.st.em * item.list.depth, 0, 0, 3],
      },
    ];
  },
  list: (n, ctx, h) => eachItem(n, ctx, (item, c) => dispatch(h, item, c)),
  listItem: (n, ctx, h) => itemBlocks(n, ctx, (b, c) => dispatch(h, b, c)),
  table: (n, ctx, h) => {
    const widths = columnFractions(n, ctx.st.style).map(
      (f) => f * ctx.st.textWidth - 2 * CELL_PAD_X,
    );
    const { head: headCtx, body: bodyCtx } = rowContexts(n, ctx);
    return [
      {
        table: {
          headerRows: n.head.length,
          // The header rows never stand alone at a page foot: the first body rows come along.
          ...(n.head.length && n.body.length
            ? { keepWithHeaderRows: Math.min(2, n.body.length) }
            : {}),
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
          paddingLeft: () => CELL_PAD_X,
          paddingRight: () => CELL_PAD_X,
          paddingTop: () => CELL_PAD_Y,
          paddingBottom: () => CELL_PAD_Y,
        },
        fontSize: ctx.st.style.sizes.table,
        lineHeight: 1.15,
        margin: [0, 3, 0, 9],
      },
    ];
  },
  tableRow: (n, ctx, h) =>
    n.children.map((c, i) => dispatch(h, c, { ...ctx, align: ctx.aligns?.[i] ?? 'left' })),
  // Cells are centred vertically, as in Word.
  tableCell: (n, ctx, h) => ({
    text: inlines(n.children, ctx, h),
    alignment: ctx.align ?? 'left',
    verticalAlignment: 'middle',
  }),
  signature: (n, ctx, h) => [
    {
      stack: n.children.flatMap((l) => dispatch(h, l, ctx)),
      unbreakable: true,
      margin: [ctx.st.textWidth * SIGNATURE_INDENT, 18, 0, 0],
    },
  ],
  // A line left empty is room to sign or seal by hand: it gets the height of a signature.
  signatureLine: (n, ctx, h) => [
    {
      text: [...span(`${n.label}：`, ctx), ...inlines(n.children, ctx, h)],
      margin: [0, 6, 0, n.children.length ? 0 : 18],
    },
  ],
  clause: (n, ctx, h) => blocks(n.children, ctx, h),
  toc: (n, ctx) => contents(n.title, n.depth, ctx),
  pageBreak: () => [PAGE_BREAK],
  figure: (n, ctx) => [
    {
      stack: [
        figureDrawing(n, ctx.st.textWidth),
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

/** Noto Sans SC's ascent over its em: where pdfkit puts a line's baseline below its top. */
function ascentOf(bold: boolean): number {
  const f = parsedFonts()[bold ? 'sansBold' : 'sansRegular'];
  return f.ascent / f.unitsPerEm;
}

/**
 * A figure drawn natively from its marks, centred in the text width and scaled down to it if
 * wider: its shapes in one canvas on a white ground as large as the figure (which gives it its
 * height), then each label as a line of real text in Noto Sans SC (bold or regular, family `Hei`),
 * placed by its baseline where the SVG puts it. The labels are positioned relative to the end of
 * the canvas (so they are drawn over the shapes) and are never wrapped; their line height is tiny,
 * so they take no room and can never push the layout on to another page.
 */
function figureDrawing(n: Figure, textWidth: number): Content {
  const k = Math.min(1, textWidth / n.width);
  const dx = (textWidth - n.width * k) / 2;
  const X = (x: number) => dx + x * k;
  const Y = (y: number) => y * k;
  const height = n.height * k;
  const canvas: CanvasElement[] = [
    { type: 'rect', x: dx, y: 0, w: n.width * k, h: height, color: '#ffffff' },
  ];
  const labels: Content[] = [];
  for (const m of n.marks) {
    switch (m.type) {
      case 'rect':
        canvas.push({
          type: 'rect',
          x: X(m.x),
          y: Y(m.y),
          w: m.w * k,
          h: m.h * k,
          ...(m.r ? { r: m.r * k } : {}),
          color: m.fill,
          ...(m.stroke ? { lineColor: m.stroke, lineWidth: (m.lineWidth ?? 1) * k } : {}),
        });
        break;
      case 'line':
        canvas.push({
          type: 'line',
          x1: X(m.x1),
          y1: Y(m.y1),
          x2: X(m.x2),
          y2: Y(m.y2),
          lineColor: m.stroke,
          lineWidth: m.lineWidth * k,
        });
        break;
      case 'polygon':
        canvas.push(
          polygon(
            m.points.map(([x, y]) => ({ x: X(x), y: Y(y) })),
            m.fill,
          ),
        );
        break;
      case 'text': {
        const left =
          m.anchor === 'start' ? m.x : m.anchor === 'end' ? m.x - m.width : m.x - m.width / 2;
        labels.push({
          text: clean(m.text),
          font: 'Hei',
          bold: m.bold,
          fontSize: m.size * k,
          color: m.fill,
          lineHeight: FIGURE_LINE,
          noWrap: true,
          relativePosition: { x: X(left), y: Y(m.y - ascentOf(m.bold) * m.size) - height },
        } as Content);
        break;
      }
    }
  }
  return { stack: [{ canvas }, ...labels] };
}
/**
 * A filled polygon for a canvas. pdfmake (0.3) moves a canvas's shapes to their place on the page
 * in place and puts them back before each new layout pass (after a page break it was told to add),
 * but forgets a polyline's points: they would move further on every pass. The polygon puts its
 * points back itself whenever pdfmake resets it.
 */
function polygon(points: { x: number; y: number }[], color: string): CanvasElement {
  const original = points.map((p) => ({ ...p }));
  const vector = { type: 'polyline' as const, points, closePath: true, color };
  let reset: (() => void) | undefined;
  Object.defineProperty(vector, 'resetXY', {
    get: () => () => {
      reset?.();
      original.forEach((p, i) => Object.assign(points[i]!, p));
    },
    set: (fn: () => void) => {
      reset = fn;
    },
  });
  return vector;
}

/** Line height of a figure's labels (placed absolutely, they need no room of their own). */
const FIGURE_LINE = 0.01;

/**
 * The cover page: its blocks in one borderless cell as tall as the page's text area, centred
 * vertically (a little above the middle, where the eye puts it).
 */
function coverPage(cover: readonly Block[], ctx: Ctx, h: Handlers<Ctx, Result>): Content {
  const s = ctx.st.style;
  const height = PAGE.heightPt - s.margins.top - s.margins.bottom - 2;
  return {
    table: {
      widths: ['*'],
      heights: [height],
      dontBreakRows: true,
      body: [
        [
          {
            stack: [
              ...blocks(cover, { ...ctx, cover: true }, h),
              { text: '', margin: [0, 0, 0, height * 0.08] },
            ],
            verticalAlignment: 'middle',
          },
        ],
      ],
    },
    layout: {
      hLineWidth: () => 0,
      vLineWidth: () => 0,
      paddingLeft: () => 0,
      paddingRight: () => 0,
      paddingTop: () => 0,
      paddingBottom: () => 0,
    },
  };
}

/** Minimum room a dot leader keeps between an entry and its page number, in points. */
const LEADER_MIN = 18;

/**
 * The table of contents: one line per heading down to `depth`, a dot leader, and the page number
 * in the body's own numbering (the cover and the contents carry none). pdfmake's own contents
 * prints absolute page numbers; here each number is a page reference read when the page is drawn,
 * after layout, from the heading's position less the front matter's pages.
 */
function contents(title: string, depth: number, ctx: Ctx): Content[] {
  const st = ctx.st;
  const size = st.style.sizes.body;
  const font = st.style.fonts.body.pdf;
  const numberWidth = 2 * size;
  const entries = [...ctx.layout.headings].filter(([hd]) => hd.level <= depth);
  return [
    {
      text: title,
      font: st.heading,
      bold: true,
      fontSize: st.style.sizes.heading1 + 2,
      alignment: 'center',
      margin: [0, 0, 0, 12],
    },
    ...entries.map(([hd, ref]): Content => {
      const text = clean(hd.label + inlineText(hd.children));
      const indent = (hd.level - 1) * 2 * st.em;
      const room = st.textWidth - indent - numberWidth;
      const width = advance(font, text, size) + 1;
      const page = {
        get positions() {
          const at = ref.node.positions?.[0]?.pageNumber ?? 1;
          const skip = (ctx.layout.bodyStart?.positions?.[0]?.pageNumber ?? 1) - 1;
          return [{ pageNumber: at - skip }];
        },
      };
      const number = {
        text: '00',
        width: numberWidth,
        alignment: 'right',
        linkToDestination: ref.id,
        _pageRef: { _nodeRef: page },
      } as unknown as Content;
      const leaderWidth = room - width;
      const y = size * st.lineHeight('body', size) * 0.8;
      return {
        columns:
          leaderWidth >= LEADER_MIN
            ? [
                { text, width, linkToDestination: ref.id } as Content,
                {
                  width: leaderWidth,
                  canvas: [
                    {
                      type: 'line',
                      x1: 3,
                      y1: y,
                      x2: leaderWidth - 3,
                      y2: y,
                      lineWidth: 0.9,
                      lineCap: 'round',
                      dash: { length: 0.01, space: 3 },
                    },
                  ],
                },
                number,
              ]
            : [{ text, width: '*', linkToDestination: ref.id }, number],
        columnGap: 0,
        margin: [indent, 2, 0, 2],
      } as Content;
    }),
  ];
}

/** Lines of content a heading needs below it on its page (else it moves to the next page). */
const KEEP_LINES = 2;

/** Lines of its list a lead-in (IR `introducesList`) keeps below it: its first item's first line. */
const LEAD_IN_LINES = 1;

/**
 * Page breaks pdfmake cannot express: a heading is kept with at least two lines of what follows
 * (the footer and header are not content), a lead-in with the first line of its list's first item,
 * and a paragraph never leaves its first line alone at the foot of a page. pdfmake lays the pages
 * out again after each break it is told to add.
 */
function breakBefore(node: PdfNode, q: NodeQueries, layout: Layout): boolean {
  const page = node.startPosition.pageNumber;
  const content = (list: PdfNode[]) => {
    const i = list.findIndex((x) => x.style === FURNITURE);
    return i < 0 ? list : list.slice(0, i);
  };
  // Nothing above it on this page (a container begun on an earlier page does not count), and no
  // text printed above it either: an unbreakable block pdfmake moved onto this page (a figure)
  // records its positions on the page before.
  const first = () =>
    !q
      .getPreviousNodesOnPage()
      .some((x) => x.startPosition.pageNumber === page && x.style !== FURNITURE) &&
    textAbove(page, node.startPosition.top, contentTop(node)) !== true;
  if (node.headlineLevel) {
    if (
      linesBelow(content(q.getFollowingNodesOnPage()), page, layout) >= KEEP_LINES &&
      // What an unbreakable block holds is recorded where the block began, even when pdfmake
      // moved it to the next page: the printed page must show text below the heading too.
      textBelow(page, node.startPosition.top, contentBottom(node), headingText(node)) !== false
    )
      return false;
    return !first();
  }
  // A lead-in wholly on this page keeps the first line of its list below it, as a heading does (a
  // lead-in running on to the next page is there with its items already).
  const lead = leadInOf(node, layout);
  const at = lead?.positions ?? [];
  if (lead && at.length && at.every((p) => p.pageNumber === page)) {
    const below = content(q.getFollowingNodesOnPage()).filter((x) => placedOf(x, layout) !== lead);
    const lastTop = Math.max(...at.map((p) => p.top));
    if (
      (linesBelow(below, page, layout, LEAD_IN_LINES) < LEAD_IN_LINES ||
        textBelow(page, lastTop, contentBottom(node), headingText(lead as PdfNode)) === false) &&
      !first()
    )
      return true;
  }
  // Orphan control: a paragraph starting in the last line of a page starts on the next one.
  const own = placedOf(node, layout);
  if (!own) return false;
  const here = (own.positions ?? []).filter((p) => p.pageNumber === page).length;
  const continues = (own.positions ?? []).some((p) => p.pageNumber > page);
  return here === 1 && continues && !first();
}

/** Where the page's content area begins (pdfmake gives the top margin through the ratio). */
function contentTop(node: PdfNode): number {
  const p = node.startPosition as { top: number; pageInnerHeight?: number; verticalRatio?: number };
  // verticalRatio = (top − top margin) / inner height, so the margin is top − ratio × height.
  if (p.pageInnerHeight === undefined || p.verticalRatio === undefined) return -Infinity;
  return p.top - p.verticalRatio * p.pageInnerHeight;
}

/** Where the page's content area ends. */
function contentBottom(node: PdfNode): number {
  const p = node.startPosition as { pageInnerHeight?: number };
  return p.pageInnerHeight === undefined ? Infinity : contentTop(node) + p.pageInnerHeight;
}

/** A heading's (or a lead-in's) text, from its pieces. */
function headingText(node: PdfNode): string {
  const t = (node as { text?: unknown }).text;
  const flat = (x: unknown): string =>
    typeof x === 'string'
      ? x
      : Array.isArray(x)
        ? x.map(flat).join('')
        : x && typeof x === 'object' && 'text' in x
          ? flat((x as { text: unknown }).text)
          : '';
  return flat(t);
}

/** The paragraph node behind a pdfmake node: itself, or the text column of a list item. */
function placedOf(node: PdfNode, layout: Layout): Placed | undefined {
  const text = (node as { text?: unknown }).text;
  if (text && typeof text === 'object') {
    const own = layout.paragraphs.get(text);
    if (own) return own;
  }
  for (const c of node.columns ?? []) {
    const t = (c as { text?: unknown }).text;
    if (t && typeof t === 'object' && layout.paragraphs.get(t)) return layout.paragraphs.get(t);
  }
  return undefined;
}

/** The paragraph behind a lead-in's outer node (its own text, or its list item's columns). */
function leadInOf(node: PdfNode, layout: Layout): Placed | undefined {
  const key = (node as { text?: unknown }).text ?? node.columns;
  return key && typeof key === 'object' ? layout.leadIns.get(key) : undefined;
}

/**
 * How many lines of body content the nodes put on `page` (headings not counted), counting up to
 * `need`. A lead-in's lines count only when a line of what follows it is counted after them: one
 * with nothing below it on the page will move on (its own keep rule, judged after the heading's).
 */
function linesBelow(nodes: PdfNode[], page: number, layout: Layout, need = KEEP_LINES): number {
  let lines = 0;
  /** Lines of lead-ins wholly on this page, waiting for a line below them. */
  let pending = 0;
  const counted = new Set<Placed>();
  for (const x of nodes) {
    if (x.headlineLevel) continue;
    // A table keeps its header with two rows; a figure is taller than two lines.
    if (x.table || x.svg || x.image || x.canvas) return need;
    const text = (x as { text?: unknown }).text;
    if (text && typeof text === 'object' && layout.markers.has(text)) continue;
    const own = placedOf(x, layout);
    if (own) {
      const here = (own.positions ?? []).filter((p) => p.pageNumber === page).length;
      // A first line alone at the foot of the page will move on (orphan control): not counted.
      const orphan = here === 1 && (own.positions ?? []).some((p) => p.pageNumber > page);
      const waits =
        layout.leadInParagraphs.has(own) &&
        (own.positions ?? []).every((p) => p.pageNumber === page);
      if (!counted.has(own) && !orphan && here) {
        if (waits) pending += here;
        else {
          lines += pending + here;
          pending = 0;
        }
      }
      counted.add(own);
    } else if (text !== undefined && text !== '' && x.startPosition.pageNumber === page) {
      lines += pending + 1;
      pending = 0;
    }
    if (lines >= need) break;
  }
  return lines;
}

/** Stands for a page break until `breaksBefore` moves it onto the content that follows it. */
const PAGE_BREAK: Content = { text: '' };

/**
 * Each page break becomes `pageBreak: 'before'` on the next content: an empty line carrying
 * `pageBreak: 'after'` would itself need room, and start a blank page after a full one (the cover).
 */
function breaksBefore(content: Content[]): Content[] {
  const out: Content[] = [];
  let pending = false;
  for (const c of content) {
    if (c === PAGE_BREAK) {
      pending = out.length > 0;
      continue;
    }
    if (pending && typeof c === 'object' && !Array.isArray(c)) {
      (c as { pageBreak?: string }).pageBreak = 'before';
      pending = false;
    }
    out.push(c);
  }
  return out;
}

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
    style: FURNITURE,
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
            style: FURNITURE,
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
  return pdfDefinition(doc).definition;
}

/**
 * Where the PDF's pages fall: the page each heading is printed on, in document order, numbered as
 * the PDF's footer and contents number them (the body from 1), the pages before the body (cover,
 * contents) and the pages in all. The document is laid out exactly as `pdfWriter` lays it out,
 * pages drawn but no file written. The .docx's contents is pre-filled with these numbers.
 */
export async function pdfPagination(
  doc: Document,
): Promise<{ headings: number[]; frontPages: number; pages: number }> {
  configure();
  const counted = countedDefinition(doc);
  await pdfmake.createPdf(counted.definition).getStream();
  return counted.pagination();
}

/**
 * The document's definition, with its footer noting the page count as pdfmake lays the pages out,
 * and a function giving the pagination once they are laid out.
 */
function countedDefinition(doc: Document): {
  definition: TDocumentDefinitions;
  pagination: () => { headings: number[]; frontPages: number; pages: number };
} {
  const { definition, layout } = pdfDefinition(doc);
  let pages = 0;
  const footer = definition.footer as (current: number, total: number) => Content | null;
  definition.footer = (current: number, total: number) => {
    pages = total;
    return footer(current, total);
  };
  return {
    definition,
    pagination: () => {
      const frontPages = (layout.bodyStart?.positions?.[0]?.pageNumber ?? 1) - 1;
      const headings = [...layout.headings.values()].map(
        (r) => (r.node.positions?.[0]?.pageNumber ?? 1) - frontPages,
      );
      return { headings, frontPages, pages };
    },
  };
}

function pdfDefinition(doc: Document): { definition: TDocumentDefinitions; layout: Layout } {
  // Every heading gets a bookmark, nested under the nearest heading of a higher level before it.
  const headings = new Map<Heading, HeadingRef>();
  const open: { level: number; id: string }[] = [];
  for (const b of flatBlocks(doc.children)) {
    if (b.type !== 'heading') continue;
    while (open.length && open[open.length - 1]!.level >= b.level) open.pop();
    const id = `tk-h${headings.size + 1}`;
    headings.set(b, { id, parent: open[open.length - 1]?.id, node: {} });
    open.push({ level: b.level, id });
  }
  const layout: Layout = {
    headings,
    paragraphs: new WeakMap(),
    markers: new WeakSet(),
    leadIns: new WeakMap(),
    leadInParagraphs: new WeakSet(),
  };
  const definition = dispatch(handlers, doc, { st: pdfStyle(styleOf(doc)), bold: false, layout });
  return { definition, layout };
}

export const pdfWriter: Writer = {
  format: 'pdf',
  async write(doc) {
    const missing = findMissingGlyphs(doc);
    if (missing.length) throw new TenderKitError(missing);
    configure();
    if (!doc.children.some((b) => b.type === 'toc'))
      return pdfmake.createPdf(toPdfDefinition(doc)).getBuffer();
    // A document with a contents: its pages are kept for its .docx (see writers/pdf-pages.ts).
    const counted = countedDefinition(doc);
    const bytes = await pdfmake.createPdf(counted.definition).getBuffer();
    recordPdfPages(doc, counted.pagination());
    return bytes;
  },
};
