// PDF writer: IR → pdfmake document definition → PDF, with embedded Noto CJK fonts from npm.
import path from 'node:path';
import pdfmake from 'pdfmake';
import type { Content, TableCell as PdfCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { TenderKitError } from '../../diagnostics/diagnostic.js';
import { dispatch, type Handlers } from '../../ir/handlers.js';
import {
  columnFractions,
  displayWidth,
  FONT_SIZE_PT,
  PAGE,
  SIGNATURE_INDENT,
  TEXT_WIDTH_PT,
} from '../../ir/layout.js';
import { listMarker } from '../../ir/numbering.js';
import { figureCaption } from '../../ir/text.js';
import type { Block, Document, Inline } from '../../ir/types.js';
import { FONT_FILES, type FontKey } from '../../fonts/files.js';
import { parsedFonts } from '../../fonts/parsed.js';
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

const LINE_HEIGHT = 1.25; // Noto's own line gap makes this look like Word's 1.5 lines.
const EM = FONT_SIZE_PT.body;

interface Ctx {
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
const HEADING_SIZE = [FONT_SIZE_PT.h1, FONT_SIZE_PT.h2, FONT_SIZE_PT.h3, FONT_SIZE_PT.h4] as const;

const handlers: Handlers<Ctx, Result> = {
  document: (n, ctx, h) => {
    const when = new Date(`${n.meta.date}T00:00:00Z`);
    return {
      pageSize: 'A4',
      pageMargins: [PAGE.marginSidePt, PAGE.marginTopPt, PAGE.marginSidePt, PAGE.marginBottomPt],
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
      defaultStyle: { font: 'Song', fontSize: FONT_SIZE_PT.body, lineHeight: LINE_HEIGHT },
      ...(n.meta.draft
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
      footer: (current: number, total: number) => ({
        text: `第 ${current} 页 共 ${total} 页`,
        alignment: 'center',
        fontSize: FONT_SIZE_PT.footer,
        margin: [0, 36, 0, 0],
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
      font: 'Hei',
      fontSize: FONT_SIZE_PT.title,
      alignment: 'center',
      margin: [0, 0, 0, 18],
    },
  ],
  heading: (n, ctx, h) => [
    {
      text: [...span(n.label, ctx), ...inlines(n.children, ctx, h)],
      font: 'Hei',
      bold: n.level <= 2,
      fontSize: HEADING_SIZE[n.level - 1],
      headlineLevel: n.level,
      // Listed in the table of contents (pdfmake fills in page numbers).
      ...(ctx.tocDepth && n.level <= ctx.tocDepth
        ? { tocItem: true, tocMargin: [(n.level - 1) * 2 * EM, 0, 0, 0] }
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
        leadingIndent: n.indent ? 2 * EM : 0,
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
          { text: marker, width: Math.max(2, displayWidth(marker) / 2 + 0.5) * EM },
          { text, width: '*' },
        ],
        columnGap: 0,
        margin: [2 * EM * item.list.depth, 0, 0, 3],
      },
    ];
  },
  list: (n, ctx, h) => eachItem(n, ctx, (item, c) => dispatch(h, item, c)),
  listItem: (n, ctx, h) => itemBlocks(n, ctx, (b, c) => dispatch(h, b, c)),
  table: (n, ctx, h) => {
    const widths = columnFractions(n).map((f) => f * TEXT_WIDTH_PT - 8); // minus cell padding
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
        fontSize: FONT_SIZE_PT.table,
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
      margin: [TEXT_WIDTH_PT * SIGNATURE_INDENT, 18, 0, 0],
    },
  ],
  signatureLine: (n, ctx, h) => [
    { text: [...span(`${n.label}：`, ctx), ...inlines(n.children, ctx, h)], margin: [0, 6, 0, 0] },
  ],
  clause: (n, ctx, h) => blocks(n.children, ctx, h),
  toc: (n) => [
    {
      toc: {
        title: {
          text: n.title,
          font: 'Hei',
          bold: true,
          fontSize: FONT_SIZE_PT.h1 + 2,
          alignment: 'center',
          margin: [0, 0, 0, 12],
        },
        textStyle: { fontSize: FONT_SIZE_PT.body },
        numberStyle: { fontSize: FONT_SIZE_PT.body },
        textMargin: [0, 2, 0, 2],
      },
    },
  ],
  pageBreak: () => [{ text: '', pageBreak: 'after' }],
  figure: (n) => [
    {
      stack: [
        { svg: n.svg, width: Math.min(n.width, TEXT_WIDTH_PT), alignment: 'center' },
        {
          text: figureCaption(n),
          alignment: 'center',
          fontSize: FONT_SIZE_PT.table,
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

export function toPdfDefinition(doc: Document): TDocumentDefinitions {
  const toc = doc.children.find((b) => b.type === 'toc');
  return dispatch(handlers, doc, {
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
