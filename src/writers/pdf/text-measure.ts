// pdfmake's measuring of text pieces, with the style looked up once per run of alike pieces.
// pdfmake (0.3) cuts a paragraph into pieces it may break between — every Chinese character is one
// — and for each piece looks up eighteen style properties (font, size, colour, line height, …):
// the piece's own value, else its named styles, else the styles around it. The pieces of one
// paragraph mostly carry the same own values (none, or `bold` for a bold run), so the answers are
// the same as for the piece before: here they are looked up only when a piece's own values differ
// from the previous piece's, and copied otherwise. The rest — widths, heights, cut spaces — is
// pdfmake's own code, in the same order, so the PDF is byte for byte the one pdfmake makes on its
// own (the tests compare).
import { createRequire } from 'node:module';

type StyleStack = unknown;
interface Font {
  lineHeight(size: number): number;
}
interface Piece {
  text: string;
  [key: string]: unknown;
}
interface TextInlines {
  pdfDocument: { provideFont(font: unknown, bold: unknown, italics: unknown): Font };
  widthOfText(text: string, inline: Piece): number;
  measure(array: Piece[], stack: StyleStack): Piece[];
}
interface StyleContextStack {
  getStyleProperty(item: unknown, stack: StyleStack, property: string, def: unknown): unknown;
}

const LEADING = /^(\s)+/g;
const TRAILING = /(\s)+$/g;
/** A piece's own properties that are not style: its text and what breaking and indent set. */
const NOT_STYLE = new Set(['text', 'lineEnd', 'noNewLine', 'leadingCut', 'leadingIndent']);

/** What the eighteen lookups answered for a piece. */
interface Answers {
  font: Font;
  alignment: unknown;
  fontSize: number;
  fontFeatures: unknown;
  characterSpacing: unknown;
  color: unknown;
  decoration: unknown;
  decorationColor: unknown;
  decorationStyle: unknown;
  decorationThickness: unknown;
  background: unknown;
  link: unknown;
  linkToPage: unknown;
  linkToDestination: unknown;
  noWrap: unknown;
  opacity: unknown;
  sup: unknown;
  sub: unknown;
  lineHeight: number;
  preserveLeadingSpaces: unknown;
  preserveTrailingSpaces: unknown;
}

/** A piece's own style values, in order of its keys. */
function ownStyle(item: Piece): unknown[] {
  const own: unknown[] = [];
  for (const key in item) if (!NOT_STYLE.has(key)) own.push(key, item[key]);
  return own;
}

function sameStyle(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

let installed = false;

/** Puts the measuring with shared lookups in place of pdfmake's (once per thread). */
export function fastTextMeasure(): void {
  if (installed) return;
  installed = true;
  let proto: TextInlines | undefined;
  let styles: StyleContextStack | undefined;
  try {
    const require = createRequire(import.meta.url);
    proto = (require('pdfmake/js/TextInlines.js') as { default?: { prototype: TextInlines } })
      .default?.prototype;
    styles = (require('pdfmake/js/StyleContextStack.js') as { default?: StyleContextStack })
      .default;
  } catch {
    return; // pdfmake laid out differently (bundled): it measures as it always has
  }
  if (
    typeof proto?.measure !== 'function' ||
    typeof proto.widthOfText !== 'function' ||
    typeof styles?.getStyleProperty !== 'function'
  )
    return;
  const cls = styles;
  const look = (item: Piece, stack: StyleStack, property: string, def: unknown) =>
    cls.getStyleProperty(item, stack, property, def);
  proto.measure = function (this: TextInlines, array: Piece[], stack: StyleStack): Piece[] {
    if (array.length) {
      const leadingIndent = look(array[0]!, stack, 'leadingIndent', 0) as number;
      if (leadingIndent) {
        array[0]!.leadingCut = -leadingIndent;
        array[0]!.leadingIndent = leadingIndent;
      }
    }
    let before: unknown[] | undefined;
    let a: Answers | undefined;
    for (const item of array) {
      const own = ownStyle(item);
      if (!a || !before || !sameStyle(own, before)) {
        const font = look(item, stack, 'font', 'Roboto');
        const bold = look(item, stack, 'bold', false);
        const italics = look(item, stack, 'italics', false);
        a = {
          font: this.pdfDocument.provideFont(font, bold, italics),
          alignment: look(item, stack, 'alignment', 'left'),
          fontSize: look(item, stack, 'fontSize', 12) as number,
          fontFeatures: look(item, stack, 'fontFeatures', null),
          characterSpacing: look(item, stack, 'characterSpacing', 0),
          color: look(item, stack, 'color', 'black'),
          decoration: look(item, stack, 'decoration', null),
          decorationColor: look(item, stack, 'decorationColor', null),
          decorationStyle: look(item, stack, 'decorationStyle', null),
          decorationThickness: look(item, stack, 'decorationThickness', null),
          background: look(item, stack, 'background', null),
          link: look(item, stack, 'link', null),
          linkToPage: look(item, stack, 'linkToPage', null),
          linkToDestination: look(item, stack, 'linkToDestination', null),
          noWrap: look(item, stack, 'noWrap', null),
          opacity: look(item, stack, 'opacity', 1),
          sup: look(item, stack, 'sup', false),
          sub: look(item, stack, 'sub', false),
          lineHeight: look(item, stack, 'lineHeight', 1) as number,
          preserveLeadingSpaces: look(item, stack, 'preserveLeadingSpaces', false),
          preserveTrailingSpaces: look(item, stack, 'preserveTrailingSpaces', false),
        };
        before = own;
      }
      // As pdfmake sets them, in its order.
      item.font = a.font;
      item.alignment = a.alignment;
      item.fontSize = a.fontSize;
      item.fontFeatures = a.fontFeatures;
      item.characterSpacing = a.characterSpacing;
      item.color = a.color;
      item.decoration = a.decoration;
      item.decorationColor = a.decorationColor;
      item.decorationStyle = a.decorationStyle;
      item.decorationThickness = a.decorationThickness;
      item.background = a.background;
      item.link = a.link;
      item.linkToPage = a.linkToPage;
      item.linkToDestination = a.linkToDestination;
      item.noWrap = a.noWrap;
      item.opacity = a.opacity;
      item.sup = a.sup;
      item.sub = a.sub;
      if (item.sup || item.sub) item.fontSize = (item.fontSize as number) * 0.58;
      item.width = this.widthOfText(item.text, item);
      item.height = a.font.lineHeight(item.fontSize as number) * a.lineHeight;
      if (!item.leadingCut) item.leadingCut = 0;
      if (!a.preserveLeadingSpaces) {
        const leadingSpaces = item.text.match(LEADING);
        if (leadingSpaces)
          item.leadingCut = (item.leadingCut as number) + this.widthOfText(leadingSpaces[0]!, item);
      }
      item.trailingCut = 0;
      if (!a.preserveTrailingSpaces) {
        const trailingSpaces = item.text.match(TRAILING);
        if (trailingSpaces) item.trailingCut = this.widthOfText(trailingSpaces[0]!, item);
      }
    }
    return array;
  };
}
