// Page geometry and table column widths shared by the docx and PDF writers, so both lay out alike.
import type { Table } from './types.js';
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
export const FONT_SIZE_PT = { body: 12, table: 10.5, title: 22, h1: 14, h2: 12, h3: 12, h4: 12, footer: 9 } as const;

/** Line spacing as a multiple of the font size. */
export const LINE_SPACING = 1.5;

/** Width in "columns": CJK and full-width characters count 2, others 1. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u.test(ch) ? 2 : 1;
  return w;
}

/**
 * Column widths as fractions summing to 1: proportional to each column's longest cell line
 * (capped, so one long description does not squeeze the rest), with a floor for short columns.
 */
export function columnFractions(t: Table): number[] {
  const n = t.columns.length || (t.head[0]?.children.length ?? 1);
  const want = Array.from({ length: n }, () => 4);
  for (const row of [...t.head, ...t.body]) {
    row.children.forEach((cell, i) => {
      const longest = Math.max(0, ...inlineText(cell.children).split('\n').map(displayWidth));
      want[i] = Math.max(want[i] ?? 4, Math.min(longest, 36));
    });
  }
  const total = want.reduce((a, b) => a + b, 0);
  return want.map((w) => w / total);
}
