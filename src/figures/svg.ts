// Small building blocks for figures: marks of a display list (boxes, lines, arrows, text lines) and
// their SVG. In the SVG, text is glyph outlines from the embedded Noto Sans SC, so the .docx (PNG
// rendered from the SVG) and the HTML preview show the same shapes and no viewer can fall back to
// boxes; each figure keeps its words in <title>. The PDF draws the marks natively, its text as real
// text in the same font, size and place.
import type * as fontkit from 'fontkit';
import { parsedFont } from '../fonts/parsed.js';
import type { FigureMark } from '../ir/types.js';

function faceOf(bold: boolean): fontkit.Font {
  return parsedFont(bold ? 'sansBold' : 'sansRegular');
}

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A run of text laid out in Noto Sans SC: its advance, and its outlines once drawn. */
interface Shaped {
  readonly font: fontkit.Font;
  /** Sum of the glyphs' advances, in font units. */
  readonly advance: number;
  readonly run: ReturnType<fontkit.Font['layout']>;
  /** SVG path data of the glyph outlines, in font units (made on first use). */
  d?: string;
}

/**
 * Layouts memoised per process: `wrap` measures every prefix of a line and `label` then draws the
 * line it measured last, so each text is laid out by fontkit once.
 */
const shapedCache = new Map<string, Shaped>();

/** Set while figures are drawn for checking only (see `withoutOutlines`). */
let sketching = false;

/**
 * Runs `fn` drawing figures without their text: no font is loaded, widths are estimated (a full
 * em per character) and labels are left out. The figures' presence, ids and data are exactly those
 * of the real drawing; their SVG is only a sketch. `lint` and `explain` check figures this way
 * without paying for fontkit and the fonts.
 */
export function withoutOutlines<T>(fn: () => T): T {
  const was = sketching;
  sketching = true;
  try {
    return fn();
  } finally {
    sketching = was;
  }
}

const SKETCH_FONT = { unitsPerEm: 1000 } as fontkit.Font;

function shape(text: string, bold: boolean): Shaped {
  if (sketching)
    return {
      font: SKETCH_FONT,
      advance: 1000 * [...text].length,
      run: { glyphs: [], positions: [] },
      d: '',
    };
  const key = `${bold ? 'b' : 'r'}:${text}`;
  let s = shapedCache.get(key);
  if (!s) {
    const font = faceOf(bold);
    const run = font.layout(text);
    s = { font, run, advance: run.positions.reduce((a, p) => a + p.xAdvance, 0) };
    if (shapedCache.size >= 4096) shapedCache.clear(); // bounded: a server draws many bids
    shapedCache.set(key, s);
  }
  return s;
}

function outline(s: Shaped): string {
  if (s.d === undefined) {
    let pen = 0;
    let d = '';
    s.run.glyphs.forEach((g, i) => {
      const p = s.run.positions[i]!;
      d += g.path.translate(pen + p.xOffset, p.yOffset).toSVG();
      pen += p.xAdvance;
    });
    s.d = d;
  }
  return s.d;
}

/** Width in points of `text` at `size` in Noto Sans SC. */
export function textWidth(text: string, size: number, bold = false): number {
  const s = shape(text, bold);
  return (s.advance / s.font.unitsPerEm) * size;
}

/**
 * Word boundaries: ICU's dictionary for Chinese, spaces and punctuation for Latin text. Made on
 * first use: loading ICU's word-break data costs a cold process ~15 ms, which `lint` and `explain`
 * (figures sketched only, see `withoutOutlines`) never pay.
 */
let segmenter: Intl.Segmenter | undefined;

/**
 * The segments of `text`. A sketch (no text drawn, every character a full em wide) breaks its
 * lines between characters, Latin words and spaces instead of at ICU's words: its labels are not
 * drawn, and what checks read from a sketch (its marks, compared between two renderings of the
 * same bid) is made the same way every time.
 */
function segments(text: string): Iterable<string> {
  if (sketching) return text.match(/[A-Za-z0-9]+|\s+|./gsu) ?? [];
  segmenter ??= new Intl.Segmenter('zh-CN', { granularity: 'word' });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}
/** Never at the start of a line (避头): closing punctuation and the like. */
const NO_START = /^[，。、；：？！）》」』】〕”’％%,.;:?!)\]}·…—\s]+$/u;
/** Never at the end of a line (避尾): opening brackets and quotes. */
const NO_END = /^[（《「『【〔“‘([{]+$/u;

/**
 * The pieces a label may break between: words, each carrying the punctuation that may not start
 * a line after it and the opening bracket that may not end one before it.
 */
export function words(text: string): string[] {
  const out: string[] = [];
  let open = '';
  for (const segment of segments(text)) {
    if (NO_START.test(segment) && out.length && !open) out[out.length - 1] += segment;
    else if (NO_END.test(segment)) open += segment;
    else {
      out.push(open + segment);
      open = '';
    }
  }
  if (open) out.push(open);
  return out;
}

const chars = (s: string) => [...s].length;

/** Greedy lines no wider than `max`; a word wider than a line is cut between its characters. */
function pack(pieces: readonly string[], size: number, max: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of pieces) {
    if (!cur || textWidth((cur + w).trimEnd(), size) <= max) {
      cur += w;
      continue;
    }
    lines.push(cur);
    cur = w;
  }
  if (cur) lines.push(cur);
  // A word that alone is too wide: cut by characters, its last piece at least two characters long.
  return lines.flatMap((line) => {
    if (textWidth(line.trimEnd(), size) <= max || chars(line) < 2) return [line];
    const out: string[] = [];
    let part = '';
    for (const ch of line) {
      if (part && textWidth(part + ch, size) > max) {
        out.push(part);
        part = '';
      }
      part += ch;
    }
    if (chars(part) === 1 && out.length && chars(out[out.length - 1]!) > 2) {
      const prev = [...out[out.length - 1]!];
      part = prev.pop()! + part;
      out[out.length - 1] = prev.join('');
    }
    out.push(part);
    return out;
  });
}

/**
 * Breaks `text` into lines no wider than `max` points at `size`, between words (Chinese words as
 * ICU's dictionary finds them), keeping the line-start and line-end rules, and never leaving one
 * character alone on a line (“外场维护工程/师” becomes “外场维护/工程师”). `balanced`: lines of
 * about equal length (box labels) instead of full lines and a short last one.
 */
export function wrap(
  text: string,
  size: number,
  max: number,
  opts: { balanced?: boolean } = {},
): string[] {
  const pieces = words(text);
  let lines = pack(pieces, size, max);
  if (opts.balanced && lines.length > 1) {
    // The narrowest measure that still needs no more lines.
    let lo = textWidth(text, size) / lines.length;
    let hi = max;
    for (let i = 0; i < 12; i++) {
      const mid = (lo + hi) / 2;
      if (pack(pieces, size, mid).length <= lines.length) hi = mid;
      else lo = mid;
    }
    lines = pack(pieces, size, hi);
  }
  // A line of one character takes the word before it along (or, failing that, one character).
  for (let i = 1; i < lines.length; i++) {
    if (chars(lines[i]!.trim()) !== 1) continue;
    const prev = lines[i - 1]!;
    const prevWords = words(prev);
    const last = prevWords.length > 1 ? prevWords[prevWords.length - 1]! : [...prev].pop()!;
    const moved = last + lines[i];
    if (chars(prev) - chars(last) >= 2 && textWidth(moved.trimEnd(), size) <= max) {
      lines[i - 1] = prev.slice(0, prev.length - last.length);
      lines[i] = moved;
    } else if (chars(prev) > 2) {
      const ch = [...prev].pop()!;
      lines[i - 1] = prev.slice(0, prev.length - ch.length);
      lines[i] = ch + lines[i];
    }
  }
  if (lines.length > 1 && chars(lines[0]!.trim()) === 1 && lines[1]) {
    lines[1] = lines[0] + lines[1];
    lines.shift();
  }
  const out = lines.map((l) => l.trimEnd()).filter((l) => l);
  return out.length ? out : [''];
}

/** Attributes a mark prints as given instead of to one decimal (kept as the figures always drew them). */
const RAW = new WeakMap<FigureMark, readonly string[]>();

/** `mark`, whose attributes `keys` print unrounded in the SVG. */
export function raw<M extends FigureMark>(mark: M, ...keys: string[]): M {
  RAW.set(mark, keys);
  return mark;
}

/** The SVG of one mark. */
function markSvg(m: FigureMark): string {
  const rawKeys = RAW.get(m);
  const n = (v: number, key: string) => (rawKeys?.includes(key) ? String(v) : v.toFixed(1));
  switch (m.type) {
    case 'rect':
      return (
        `<rect x="${n(m.x, 'x')}" y="${n(m.y, 'y')}" width="${n(m.w, 'w')}" height="${n(m.h, 'h')}"` +
        `${m.r !== undefined ? ` rx="${m.r}"` : ''} fill="${m.fill}"` +
        `${m.stroke !== undefined ? ` stroke="${m.stroke}"` : ''}` +
        `${m.lineWidth !== undefined ? ` stroke-width="${m.lineWidth}"` : ''}/>`
      );
    case 'line':
      return `<line x1="${n(m.x1, 'x1')}" y1="${n(m.y1, 'y1')}" x2="${n(m.x2, 'x2')}" y2="${n(m.y2, 'y2')}" stroke="${m.stroke}" stroke-width="${m.lineWidth}"/>`;
    case 'polygon':
      return `<polygon points="${m.points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" fill="${m.fill}"/>`;
    case 'text': {
      const s = shape(m.text, m.bold);
      const d = outline(s);
      const k = m.size / s.font.unitsPerEm;
      const left =
        m.anchor === 'start' ? m.x : m.anchor === 'end' ? m.x - m.width : m.x - m.width / 2;
      return d
        ? `<path transform="translate(${left.toFixed(2)} ${m.y.toFixed(2)}) scale(${k.toFixed(5)} ${(-k).toFixed(5)})" fill="${m.fill}" d="${d}"/>`
        : '';
    }
  }
}

/** The figure's SVG, serialised from its marks on a white ground; its text is glyph outlines. */
export function svgDoc(
  width: number,
  height: number,
  marks: readonly FigureMark[],
  title: string,
): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">` +
    `<title>${esc(title)}</title><rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>${marks.map(markSvg).join('')}</svg>`
  );
}

/** A rectangle. */
export function rect(
  x: number,
  y: number,
  w: number,
  h: number,
  style: { r?: number; fill: string; stroke?: string; lineWidth?: number },
): FigureMark {
  return { type: 'rect', x, y, w, h, ...style };
}

/** A straight line. */
export function line(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  stroke: string,
  lineWidth: number,
): FigureMark {
  return { type: 'line', x1, y1, x2, y2, stroke, lineWidth };
}

/** One line of text in Noto Sans SC: `y` is its baseline, `x` its start, middle or end. */
export function label(
  x: number,
  y: number,
  text: string,
  opts: { size?: number; anchor?: 'start' | 'middle' | 'end'; bold?: boolean; fill?: string } = {},
): FigureMark {
  const { size = 10, anchor = 'middle', bold = false, fill = '#1f2933' } = opts;
  const s = shape(text, bold);
  const width = s.advance * (size / s.font.unitsPerEm);
  return { type: 'text', x, y, text, size, bold, anchor, width, fill };
}

/** A box with centred, wrapped lines of text. */
export function box(
  x: number,
  y: number,
  w: number,
  h: number,
  lines: string[],
  opts: { fill?: string; stroke?: string; size?: number; bold?: boolean } = {},
): FigureMark[] {
  const { fill = '#eef2ff', stroke = '#1d4ed8', size = 10, bold = false } = opts;
  const lh = size * 1.35;
  const top = y + h / 2 - ((lines.length - 1) * lh) / 2 + size * 0.35;
  return [
    rect(x, y, w, h, { r: 4, fill, stroke, lineWidth: 1 }),
    ...lines.map((l, i) => label(x + w / 2, top + i * lh, l, { size, bold })),
  ];
}

/** A line ending in an arrow head at (x2, y2). */
export function arrow(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  color = '#475569',
): FigureMark[] {
  const a = Math.atan2(y2 - y1, x2 - x1);
  const s = 6;
  return [
    line(x1, y1, x2, y2, color, 1.2),
    {
      type: 'polygon',
      points: [
        [x2, y2],
        [x2 - s * Math.cos(a - 0.45), y2 - s * Math.sin(a - 0.45)],
        [x2 - s * Math.cos(a + 0.45), y2 - s * Math.sin(a + 0.45)],
      ],
      fill: color,
    },
  ];
}
