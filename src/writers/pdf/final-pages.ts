// The pages pdfmake has just laid out, for the keep rules (`breakBefore` in index.ts) to read.
//
// pdfmake records where each node went while laying it out, and the keep rules read those
// positions. Inside an unbreakable block (a figure; the closing paragraph kept with the signature)
// they are recorded where the block was begun: when the whole block does not fit and pdfmake moves
// it to the next page, the positions still name the old page. A heading followed by such a block
// then looked as if two lines followed it, and stayed alone at the foot of its page (seen in
// dev-project-60m's 售后服务方案: 十、违约责任 above the footer, its paragraph and the signature
// on the next page). The laid-out pages themselves are right: each line sits on the page it is
// printed on. So the pages of the pass the keep rules are judging are kept here.
import { createRequire } from 'node:module';

/** A line as pdfmake places it on a page: its top and its pieces of text. */
interface PlacedLine {
  readonly y: number;
  readonly inlines?: readonly { readonly text?: string }[];
}
export interface LaidOutPage {
  readonly items: readonly { readonly type: string; readonly item: unknown }[];
}
interface LayoutBuilder {
  tryLayoutDocument(...args: unknown[]): { pages: LaidOutPage[] };
}

let pages: readonly LaidOutPage[] | undefined;
let installed = false;

/** Keeps the pages of each layout pass pdfmake makes (once per thread). */
export function keepLaidOutPages(): void {
  if (installed) return;
  installed = true;
  let proto: LayoutBuilder | undefined;
  try {
    const require = createRequire(import.meta.url);
    proto = (require('pdfmake/js/LayoutBuilder.js') as { default?: { prototype: LayoutBuilder } })
      .default?.prototype;
  } catch {
    return;
  }
  if (typeof proto?.tryLayoutDocument !== 'function') return;
  const { tryLayoutDocument } = proto;
  proto.tryLayoutDocument = function (this: LayoutBuilder, ...args: unknown[]) {
    const result = tryLayoutDocument.apply(this, args);
    pages = result.pages;
    return result;
  };
}

/** The lines of text on page `pageNumber` (1-based) of the pass being judged, if known. */
function linesOn(pageNumber: number): PlacedLine[] | undefined {
  const page = pages?.[pageNumber - 1];
  return page?.items.filter((i) => i.type === 'line').map((i) => i.item as PlacedLine);
}

/**
 * Whether a line of text other than the heading's own is printed below `top` on page `pageNumber`
 * of the pass being judged, above `bottom`; undefined when the pages are not known.
 */
export function textBelow(
  pageNumber: number,
  top: number,
  bottom: number,
  heading: string,
): boolean | undefined {
  return linesOn(pageNumber)?.some((line) => {
    if (line.y <= top + 0.01 || line.y >= bottom) return false;
    const text = (line.inlines ?? [])
      .map((i) => i.text ?? '')
      .join('')
      .trim();
    // A heading that wraps: its own further lines are not what follows it.
    return !(text && heading.includes(text));
  });
}

/**
 * Whether a line of text is printed on page `pageNumber` of the pass being judged between the top
 * of the content area (`contentTop`) and `top`; undefined when the pages are not known. (An
 * unbreakable block moved onto this page — a figure — records its positions on the page before.)
 */
export function textAbove(
  pageNumber: number,
  top: number,
  contentTop: number,
): boolean | undefined {
  return linesOn(pageNumber)?.some((line) => line.y >= contentTop - 0.01 && line.y < top - 0.01);
}
