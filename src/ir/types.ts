// The document model every writer reads: a closed set of node types (see README.md for the spec).

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface DocumentMeta {
  /** Template id, e.g. `commitment-letter`. */
  readonly id: string;
  /** Document title, also the output file name. */
  readonly title: string;
  /** Signing date `YYYY-MM-DD`; every date inside the files is derived from it. */
  readonly date: string;
  /** Bidder name; the files' author. */
  readonly author: string;
  /** Subject line for file metadata (the project name). */
  readonly subject: string;
  /** Some clause is an unapproved draft: every page carries a 草稿 / DRAFT mark. */
  readonly draft: boolean;
  /** Name/value pairs embedded as file metadata (provenance); names are ASCII letters and digits. */
  readonly properties?: readonly (readonly [string, string])[];
  /**
   * The company's house style (fonts, sizes, spacing, margins, header, footer) from the workspace's
   * `tenderkit.yaml`; every writer reads it. Absent: the built-in style (`DEFAULT_HOUSE_STYLE`).
   */
  readonly style?: HouseStyle;
  /** Write the PDF as PDF/A-2b (PDF 1.7, XMP metadata, an sRGB output intent): `build --pdfa`. */
  readonly pdfa?: boolean;
  /**
   * Keep tool fingerprints out of the file's metadata (`build --clean-metadata`, house style
   * `cleanMetadata`): no `properties`, and the bidder, not TenderKit, as the PDF's creator.
   */
  readonly cleanMetadata?: boolean;
}

// ── House style ─────────────────────────────────────────────────────────────
// Resolved and checked by src/workspace/style.ts: sizes in points, files as absolute paths that
// exist inside the workspace. Plain data (it travels to the PDF writer thread with the document).

/** The font a PDF embeds for one role: a built-in Noto face, or a font file from the workspace. */
export type PdfFont =
  | { readonly kind: 'builtin'; readonly name: 'noto-serif-sc' | 'noto-sans-sc' }
  | {
      readonly kind: 'file';
      /** Absolute, real path inside the workspace. */
      readonly regular: string;
      /** Absolute path of the bold face; the regular file when the workspace gives none. */
      readonly bold: string;
      /** Which face of `regular` when it is a collection (.ttc): its index; absent otherwise. */
      readonly regularFace?: number;
      /** Which face of `bold` when it is a collection (.ttc): its index; absent otherwise. */
      readonly boldFace?: number;
      /** Family name read from the font (Word and HTML name it). */
      readonly family: string;
      /** PostScript name read from the font (what `pdffonts` shows). */
      readonly postscriptName: string;
    };

export interface StyleFont {
  /** East Asian font name in Word (`w:eastAsia`) and first in the HTML font list. */
  readonly chinese: string;
  /** Latin font name in Word (`w:ascii`, `w:hAnsi`). */
  readonly latin: string;
  readonly pdf: PdfFont;
}

export interface HouseStyle {
  /** Body text (paragraphs, lists, tables, signature) and headings (title, headings, TOC title). */
  readonly fonts: { readonly body: StyleFont; readonly heading: StyleFont };
  /** Font sizes in points. */
  readonly sizes: {
    readonly body: number;
    readonly title: number;
    readonly heading1: number;
    readonly heading2: number;
    readonly heading3: number;
    readonly heading4: number;
    readonly table: number;
    readonly header: number;
    readonly footer: number;
  };
  /** A multiple of single spacing (Word's “1.5 倍行距”) or an exact line height in points. */
  readonly lineSpacing:
    | { readonly kind: 'multiple'; readonly value: number }
    | { readonly kind: 'exact'; readonly pt: number };
  /** Page margins in points (A4). */
  readonly margins: {
    readonly top: number;
    readonly bottom: number;
    readonly left: number;
    readonly right: number;
  };
  /** Text and logo at the top of every page. */
  readonly header?: {
    readonly text?: string;
    readonly logo?: {
      /** Absolute, real path inside the workspace. */
      readonly file: string;
      readonly format: 'png' | 'svg';
      readonly widthPt: number;
      readonly heightPt: number;
    };
  };
  /** Page footer: literal text with `{page}` and `{pages}` (never a template). */
  readonly footer: string;
  /**
   * No tool fingerprints in the files' metadata (as `build --clean-metadata`): they stay in
   * manifest.json.
   */
  readonly cleanMetadata?: boolean;
}

export interface Document {
  readonly type: 'document';
  readonly meta: DocumentMeta;
  readonly children: readonly Block[];
}

// ── Blocks ──────────────────────────────────────────────────────────────────

/** Blocks a document template can produce outside clauses: they say which template item did. */
interface Sourced {
  /**
   * The template item that produced this block, as a path into the template's `items`
   * (`items[1]`, `items[4].items[0]`); the traceability check resolves it. Unset for blocks a
   * clause body produced (their provenance is the enclosing `clause` node).
   */
  readonly source?: string;
}

export interface Title extends Sourced {
  readonly type: 'title';
  readonly children: readonly Inline[];
}

export interface Heading extends Sourced {
  readonly type: 'heading';
  readonly level: 1 | 2 | 3 | 4;
  /** Resolved number such as `一、`, `（二）`, `3.`, `（4）`; empty for unnumbered headings. */
  readonly label: string;
  readonly children: readonly Inline[];
}

export interface Paragraph extends Sourced {
  readonly type: 'paragraph';
  readonly align: 'left' | 'center' | 'right';
  /** Chinese body convention: a first-line indent of two characters. */
  readonly indent: boolean;
  /** Keep on the same page as the next block (a closing line before the signature). */
  readonly keepWithNext?: boolean;
  /**
   * A lead-in: the paragraph introduces the list right after it — the next block when the
   * paragraph ends with `：` or `:`, or, for a list item's paragraph, the list that follows it in
   * the item (its sub-items). Kept on the same page as that list's first item, never the last
   * text of a page whose next page begins with its items. Set by rendering (`src/render`).
   */
  readonly introducesList?: boolean;
  readonly children: readonly Inline[];
}

export interface List {
  readonly type: 'list';
  readonly ordered: boolean;
  readonly start: number;
  /** Nesting depth, 0 for a top-level list; decides the marker style. */
  readonly depth: number;
  readonly children: readonly ListItem[];
}

export interface ListItem {
  readonly type: 'listItem';
  readonly children: readonly (Paragraph | List)[];
}

export interface Table {
  readonly type: 'table';
  readonly columns: readonly ColumnSpec[];
  /** Header rows, repeated on every page. */
  readonly head: readonly TableRow[];
  readonly body: readonly TableRow[];
}

export interface ColumnSpec {
  readonly align: 'left' | 'center' | 'right';
}

export interface TableRow {
  readonly type: 'tableRow';
  readonly children: readonly TableCell[];
}

export interface TableCell {
  readonly type: 'tableCell';
  readonly children: readonly Inline[];
}

/** The signing block: seal, signature and date lines kept together at the end of a document. */
export interface Signature extends Sourced {
  readonly type: 'signature';
  readonly children: readonly SignatureLine[];
}

export interface SignatureLine {
  readonly type: 'signatureLine';
  /** Fixed wording such as `投标人（盖单位章）`. */
  readonly label: string;
  readonly children: readonly Inline[];
}

/** A numbered figure drawn from the bid (SVG), with the data it shows for checks and tests. */
export interface Figure extends Sourced {
  readonly type: 'figure';
  /** Which figure: `tier-chart`, `escalation-flow`, `org-chart`, `training-gantt`. */
  readonly id: string;
  /** 图1, 图2 … in document order. */
  readonly number: number;
  readonly caption: string;
  /** Self-contained SVG whose text is glyph outlines (no fonts needed to show it). */
  readonly svg: string;
  /**
   * The same drawing as a display list, in the order drawn: the SVG is serialised from it, and the
   * PDF draws it natively (shapes as vectors, labels as real text in Noto Sans SC).
   */
  readonly marks: readonly FigureMark[];
  /** Size in points at which it is printed. */
  readonly width: number;
  readonly height: number;
  /** The bid values the figure shows. */
  readonly data: JsonValue;
}

/**
 * One mark of a figure's drawing, in points of the figure's own size (`width` × `height`), from
 * its top left corner, y downwards. Colours are `#rrggbb`.
 */
export type FigureMark =
  | {
      readonly type: 'rect';
      readonly x: number;
      readonly y: number;
      readonly w: number;
      readonly h: number;
      /** Corner radius; absent: square corners. */
      readonly r?: number;
      readonly fill: string;
      /** Outline colour; absent: none. */
      readonly stroke?: string;
      /** Outline width (1 when absent). */
      readonly lineWidth?: number;
    }
  | {
      readonly type: 'line';
      readonly x1: number;
      readonly y1: number;
      readonly x2: number;
      readonly y2: number;
      readonly stroke: string;
      readonly lineWidth: number;
    }
  /** A filled polygon (arrow heads). */
  | {
      readonly type: 'polygon';
      readonly points: readonly (readonly [number, number])[];
      readonly fill: string;
    }
  | {
      readonly type: 'text';
      /** One line, never wrapped: `x` is its start, middle or end (`anchor`), `y` its baseline. */
      readonly x: number;
      readonly y: number;
      readonly text: string;
      /** Font size in points; Noto Sans SC, bold or regular. */
      readonly size: number;
      readonly bold: boolean;
      readonly anchor: 'start' | 'middle' | 'end';
      /** Its advance width in points at `size`. */
      readonly width: number;
      readonly fill: string;
    };

/** The table of contents: every heading down to `depth`, with page numbers where the format has pages. */
export interface Toc extends Sourced {
  readonly type: 'toc';
  readonly title: string;
  readonly depth: 1 | 2 | 3 | 4;
}

/** Starts a new page (after a cover page or a table of contents). */
export interface PageBreak {
  readonly type: 'pageBreak';
}

/** Provenance container: the blocks one clause version produced. */
export interface Clause {
  readonly type: 'clause';
  readonly id: string;
  readonly version: number;
  /**
   * Set when the text comes from the bid file rather than the clause library (a bid's own
   * `extraCommitments`): the field path of that text. Legal never reviewed it.
   */
  readonly origin?: string;
  readonly children: readonly ClauseContent[];
}

export type ClauseContent = Heading | Paragraph | List | Table | Signature;
export type Block = Title | ClauseContent | Clause | Figure | Toc | PageBreak;

// ── Inlines ─────────────────────────────────────────────────────────────────

export interface Text {
  readonly type: 'text';
  readonly value: string;
}

export interface Strong {
  readonly type: 'strong';
  readonly children: readonly Inline[];
}

/** A value filled in from the bid: the text shown and where it came from. */
export interface Var {
  readonly type: 'var';
  /** Bid field path (`responseTiers[0].responseMinutes`), or null for a value computed in a template. */
  readonly path: string | null;
  /** A computed value inside a template loop (a row number): it differs from place to place. */
  readonly local: boolean;
  /** The template expression that produced it, for messages. */
  readonly expr: string;
  /** The bid's raw value at `path` (before formatting); null when `path` is null. */
  readonly raw: JsonValue;
  /** The formatted text as it appears in the document. */
  readonly value: string;
}

export interface Break {
  readonly type: 'break';
}

/** A tracked change in a redline: text inserted or deleted by an author on a date. */
export interface Revision {
  readonly type: 'revision';
  readonly kind: 'insert' | 'delete';
  readonly author: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly value: string;
}

export type Inline = Text | Strong | Var | Break | Revision;

// ── The closed set ──────────────────────────────────────────────────────────

export type Node = Document | Block | ListItem | TableRow | TableCell | SignatureLine | Inline;

export type NodeType = Node['type'];
export type NodeOf<T extends NodeType> = Extract<Node, { type: T }>;

export const NODE_TYPES = [
  'document',
  'title',
  'heading',
  'paragraph',
  'list',
  'listItem',
  'table',
  'tableRow',
  'tableCell',
  'signature',
  'signatureLine',
  'clause',
  'figure',
  'toc',
  'pageBreak',
  'text',
  'strong',
  'var',
  'break',
  'revision',
] as const satisfies readonly NodeType[];

// Compile-time check that NODE_TYPES lists every node type.
type Missing = Exclude<NodeType, (typeof NODE_TYPES)[number]>;
export const nodeTypesComplete: Missing extends never ? true : Missing = true;
