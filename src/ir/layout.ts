// Page geometry and table column widths shared by the docx and PDF writers, so both lay out alike.
import type { Document, HouseStyle, Table } from './types.js';
import { inlineText } from './text.js';

/** A4 in points, with 2.5 cm side margins and 2.54 cm top/bottom margins. */
export const PAGE = {
  widthPt: 595.28,
  heightPt: 841.89,
  marginTopPt: 72,
  marginBottomPt: 72,
  marginSidePt: 70.87,
} as const;

export const TEXT_WIDTH_PT = PAGE.widthPt - 2 * PAGE.marginSidePt;

/** Body 小四 (12 pt), headings 四号/小四, title 二号. */
export const FONT_SIZE_PT = {
  body: 12,
  table: 10.5,
  title: 22,
  h1: 14,
  h2: 12,
  h3: 12,
  h4: 12,
  footer: 9,
} as const;

/** The signature block starts this far across the text width. */
export const SIGNATURE_INDENT = 0.3;

/** Line spacing as a multiple of the font size. */
export const LINE_SPACING = 1.5;

/** The footer every document had before house styles: page X of Y. */
export const DEFAULT_FOOTER = '第 {page} 页 共 {pages} 页';

/**
 * The built-in house style: exactly the constants above, so a document without a workspace style
 * is written as before, byte for byte.
 */
export const DEFAULT_HOUSE_STYLE: HouseStyle = {
  fonts: {
    body: {
      chinese: '宋体',
      latin: 'Times New Roman',
      pdf: { kind: 'builtin', name: 'noto-serif-sc' },
    },
    heading: { chinese: '黑体', latin: 'Arial', pdf: { kind: 'builtin', name: 'noto-sans-sc' } },
  },
  sizes: {
    body: FONT_SIZE_PT.body,
    title: FONT_SIZE_PT.title,
    heading1: FONT_SIZE_PT.h1,
    heading2: FONT_SIZE_PT.h2,
    heading3: FONT_SIZE_PT.h3,
    heading4: FONT_SIZE_PT.h4,
    table: FONT_SIZE_PT.table,
    header: FONT_SIZE_PT.footer,
    footer: FONT_SIZE_PT.footer,
  },
  lineSpacing: { kind: 'multiple', value: LINE_SPACING },
  margins: {
    top: PAGE.marginTopPt,
    bottom: PAGE.marginBottomPt,
    left: PAGE.marginSidePt,
    right: PAGE.marginSidePt,
  },
  footer: DEFAULT_FOOTER,
};

/** The style a document is written in. */
export function styleOf(doc: Document): HouseStyle {
  return doc.meta.style ?? DEFAULT_HOUSE_STYLE;
}

/** Width between the side margins, in points. */
export function textWidthPt(style: HouseStyle): number {
  return style === DEFAULT_HOUSE_STYLE
    ? TEXT_WIDTH_PT
    : PAGE.widthPt - style.margins.left - style.margins.right;
}

/** Heading sizes by level (1–4), in points. */
export function headingSizes(style: HouseStyle): readonly [number, number, number, number] {
  const s = style.sizes;
  return [s.heading1, s.heading2, s.heading3, s.heading4];
}

/** The header/footer distance from the page edge (Word's w:header / w:footer), in points. */
export const HEADER_TOP_PT = 34;
export const FOOTER_BOTTOM_PT = 36;
/** Room kept between the header's lowest line and the body text, in points. */
export const HEADER_GAP_PT = 6;

/**
 * The pieces of a footer format in order: literal text and the page number / page count. The
 * format was checked when the settings were read: only `{page}` and `{pages}` occur.
 */
export function footerParts(format: string): (string | { readonly field: 'page' | 'pages' })[] {
  const out: (string | { field: 'page' | 'pages' })[] = [];
  for (const piece of format.split(/(\{pages?\})/))
    if (piece === '{page}' || piece === '{pages}')
      out.push({ field: piece === '{page}' ? 'page' : 'pages' });
    else if (piece) out.push(piece);
  return out;
}

/** The footer text for one page. */
export function footerText(format: string, page: number, pages: number): string {
  return footerParts(format)
    .map((p) => (typeof p === 'string' ? p : String(p.field === 'page' ? page : pages)))
    .join('');
}

/** Width in "columns": CJK and full-width characters count 2, others 1. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w +=
      /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u.test(
        ch,
      )
        ? 2
        : 1;
  return w;
}

/**
 * Column widths as fractions summing to 1. Each column wants its longest cell line; short columns
 * (up to 12 half-width units, e.g. "30分钟内") get all they want so they never wrap, and the space
 * left is shared among the longer columns in proportion to what they still want.
 */
export function columnFractions(t: Table, style: HouseStyle = DEFAULT_HOUSE_STYLE): number[] {
  const n = t.columns.length || (t.head[0]?.children.length ?? 1);
  const want = Array.from({ length: n }, () => 2);
  for (const row of [...t.head, ...t.body]) {
    row.children.forEach((cell, i) => {
      const longest = Math.max(0, ...inlineText(cell.children).split('\n').map(displayWidth));
      want[i] = Math.max(want[i] ?? 2, Math.min(longest, 80));
    });
  }
  // Half-width units that fit across the text width at the table font size, less cell padding.
  const capacity = textWidthPt(style) / (style.sizes.table / 2) - 3 * n;
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  let widths = want;
  if (sum(want) > capacity) {
    const floor = want.map((w) => Math.min(w, 12));
    const extra = want.map((w, i) => w - floor[i]!);
    const room = Math.max(0, capacity - sum(floor));
    widths = floor.map((f, i) => f + (sum(extra) ? (extra[i]! * room) / sum(extra) : 0));
  }
  // Add back each cell's padding (2 units) and one unit of slack for bold header text.
  const withPadding = widths.map((w) => w + 3);
  const total = sum(withPadding);
  return withPadding.map((w) => w / total);
}

/**
 * Where the front matter ends: a document whose first heading comes after a page break has front
 * matter (a cover, the contents), which carries no page number; its body is numbered from 1.
 * `cover` is the number of top-level blocks before the first page break (the cover page, set
 * centred on its page); `body` is the index of the first top-level block after the last page break
 * before the first heading. Both are 0 for a document without front matter.
 */
export function frontMatter(doc: Document): { readonly cover: number; readonly body: number } {
  const blocks = doc.children;
  const firstHeading = blocks.findIndex(
    (b) =>
      b.type === 'heading' || (b.type === 'clause' && b.children.some((c) => c.type === 'heading')),
  );
  const before = firstHeading < 0 ? blocks.length : firstHeading;
  let lastBreak = -1;
  for (let i = 0; i < before; i++) if (blocks[i]!.type === 'pageBreak') lastBreak = i;
  if (lastBreak < 0) return { cover: 0, body: 0 };
  return { cover: blocks.findIndex((b) => b.type === 'pageBreak'), body: lastBreak + 1 };
}

/**
 * Text cut where a line may also break inside a long run of digits, Latin letters and punctuation
 * (a phone number, an e-mail or web address): after `-`, `/` or `_`, and before `@` or `.`, never
 * leaving a piece of the run shorter than two characters. Runs shorter than BREAKABLE_MIN
 * characters are left whole. Joined, the pieces are the text again; one piece: nothing to add.
 */
export const BREAKABLE_MIN = 8;
const LONG_TOKEN = /[0-9A-Za-z][0-9A-Za-z@._\-/:+#%=?&~]*[0-9A-Za-z]/g;

export function breakablePieces(text: string): string[] {
  const out: string[] = [''];
  let last = 0;
  for (const m of text.matchAll(LONG_TOKEN)) {
    const token = m[0];
    if (token.length < BREAKABLE_MIN || !/[-/_@.]/.test(token)) continue;
    out[out.length - 1] += text.slice(last, m.index);
    let piece = 0; // length of the token's current piece
    for (let i = 0; i < token.length; i++) {
      const ch = token[i]!;
      const left = token.length - i;
      if ((ch === '@' || ch === '.') && piece >= 2 && left >= 2) {
        out.push('');
        piece = 0;
      }
      out[out.length - 1] += ch;
      piece++;
      if ((ch === '-' || ch === '/' || ch === '_') && piece >= 2 && left > 2) {
        out.push('');
        piece = 0;
      }
    }
    last = m.index + token.length;
  }
  out[out.length - 1] += text.slice(last);
  return out;
}
