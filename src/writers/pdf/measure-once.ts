// One measurement per document instead of one per layout pass. pdfmake (0.3) lays a document out
// again from the start after each page break its `pageBreakBefore` callback asks for (the keep
// rules of this writer: a heading kept with two lines, no paragraph's first line alone at a page's
// foot), and each pass measures every node again: every character of the text is split, styled
// and measured anew, although nothing measured changed — only a node's `pageBreak`, which measuring
// does not read. Measuring is the larger part of a pass.
//
// Here the first pass measures as before and keeps, per text node, its list of measured pieces of
// text (its inlines) and what laying out may change in them; a later pass of the same layout puts
// the list back instead of measuring again. Laying out takes the inlines off the list into lines,
// sets their positions (`x`, and `justifyShift` on a justified line) and shortens one that is too
// long for a line (`text`, `width`; the rest goes on in a copy it makes): before a later pass the
// list and each inline's text and width are put back and its justification removed; `x` is set
// whenever an inline joins a line. Everything else measuring sets on a node (widths, margins, a
// table's offsets) is only read by layout and stays as the first pass left it, as measuring again
// would have set it. The PDF is byte for byte the one pdfmake makes on its own (the tests compare).
import { createRequire } from 'node:module';

interface Inline {
  text: string;
  width: number;
  justifyShift?: number;
}
interface MeasuredNode {
  stack?: unknown[];
  _inlines?: Inline[];
  _margin?: unknown;
  _minWidth?: number;
  _maxWidth?: number;
}
interface DocMeasure {
  measureDocument(node: MeasuredNode): MeasuredNode;
  measureLeaf(node: MeasuredNode): MeasuredNode;
}
interface DocMeasureClass {
  prototype: DocMeasure;
}

/** What the first pass measured: the root's own measures and each text node's inlines. */
interface Measured {
  /** The document's content (pdfmake wraps the same array in a new root node every pass). */
  readonly content: unknown[];
  readonly margin: unknown;
  readonly minWidth: number | undefined;
  readonly maxWidth: number | undefined;
  readonly leaves: Leaf[];
}

/** A text node as measured: its inlines, and each one's text and width. */
interface Leaf {
  readonly node: MeasuredNode;
  readonly inlines: readonly Inline[];
  readonly texts: readonly string[];
  readonly widths: readonly number[];
}

/** Per measurer (pdfmake makes one for each document it lays out): the first pass's measures. */
const measured = new WeakMap<DocMeasure, Measured>();
/** The text nodes the document measurement now running has measured. */
let recording: Leaf[] | undefined;

function leafOf(node: MeasuredNode, inlines: Inline[]): Leaf {
  return {
    node,
    inlines: inlines.slice(),
    texts: inlines.map((i) => i.text),
    widths: inlines.map((i) => i.width),
  };
}

/** Puts a text node back as measuring left it. */
function restore(leaf: Leaf): void {
  const { inlines, texts, widths } = leaf;
  for (let k = 0; k < inlines.length; k++) {
    const i = inlines[k]!;
    i.text = texts[k]!;
    i.width = widths[k]!;
    if (i.justifyShift !== undefined) i.justifyShift = undefined;
  }
  leaf.node._inlines = inlines.slice();
}

let installed = false;

/** Makes pdfmake measure a document once for all its layout passes (once per thread). */
export function measureOnce(): void {
  if (installed) return;
  installed = true;
  let cls: DocMeasureClass | undefined;
  try {
    const require = createRequire(import.meta.url);
    cls = (require('pdfmake/js/DocMeasure.js') as { default?: DocMeasureClass }).default;
  } catch {
    return; // pdfmake laid out differently (bundled): it measures every pass
  }
  const proto = cls?.prototype;
  if (typeof proto?.measureDocument !== 'function' || typeof proto.measureLeaf !== 'function')
    return;
  const { measureDocument, measureLeaf } = proto;
  proto.measureLeaf = function (this: DocMeasure, node: MeasuredNode): MeasuredNode {
    const out = measureLeaf.call(this, node);
    if (recording && Array.isArray(out._inlines)) recording.push(leafOf(out, out._inlines));
    return out;
  };
  proto.measureDocument = function (this: DocMeasure, node: MeasuredNode): MeasuredNode {
    const before = measured.get(this);
    if (before && Array.isArray(node.stack) && node.stack === before.content) {
      node._margin = before.margin;
      node._minWidth = before.minWidth;
      node._maxWidth = before.maxWidth;
      for (const leaf of before.leaves) restore(leaf);
      return node;
    }
    const outer = recording;
    const leaves: Leaf[] = [];
    recording = leaves;
    let out: MeasuredNode;
    try {
      out = measureDocument.call(this, node);
    } finally {
      recording = outer;
    }
    if (out === node && Array.isArray(node.stack))
      measured.set(this, {
        content: node.stack,
        margin: node._margin,
        minWidth: node._minWidth,
        maxWidth: node._maxWidth,
        leaves,
      });
    return out;
  };
}
