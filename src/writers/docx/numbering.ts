// Word lists as real numbering: one abstract numbering per list style (bullets, ordered), one
// numbering instance per IR list so that every list starts again at its own `start`; the marker is
// drawn by Word from `word/numbering.xml`, never typed into the text.
import type { List } from '../../ir/types.js';

/** The family of abstract numbering a list uses; `ordered-past-20` only for items numbered > 20. */
type Family = 'bullet' | 'ordered' | 'ordered-past-20';

/** The numbering reference paragraphs name; its `{tk-<numId>}` placeholders become numIds. */
export const NUMBERING_REFERENCE = 'tk';

/** Word has 9 list levels: deeper lists reuse the deepest level with the same marker style. */
export function levelOf(depth: number): number {
  return depth <= 8 ? depth : 6 + (depth % 3);
}

/** How many ems the marker gets before the text (the hanging indent, as the PDF's marker column). */
function hangEm(ordered: boolean, depth: number): number {
  return ordered && depth % 3 === 1 ? 3 : 2;
}

interface LevelFormat {
  readonly numFmt: string;
  readonly lvlText: string;
}

/** The marker format of a level, as listMarker() writes it for a list at that depth. */
function levelFormat(family: Family, depth: number): LevelFormat {
  const n = `%${levelOf(depth) + 1}`;
  if (family === 'bullet') return { numFmt: 'bullet', lvlText: depth === 0 ? '•' : '◦' };
  switch (depth % 3) {
    case 0:
      return { numFmt: 'decimal', lvlText: `${n}.` };
    case 1:
      return { numFmt: 'decimal', lvlText: `（${n}）` };
    default:
      return family === 'ordered'
        ? { numFmt: 'decimalEnclosedCircle', lvlText: n }
        : { numFmt: 'decimal', lvlText: `${n})` };
  }
}

/** ①…⑳ exist for 1 to 20; listMarker() writes `21)` on. */
const CIRCLED_MAX = 20;

interface Num {
  readonly numId: number;
  readonly abstractId: number;
  readonly level: number;
  readonly start?: number;
}

export interface NumPr {
  readonly numId: number;
  readonly level: number;
}

export interface MarkerFont {
  readonly ascii: string;
  readonly hAnsi: string;
  readonly eastAsia: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** The numbering of one document: filled while its paragraphs are written, then written out. */
export class ListNumbering {
  private readonly families = new Map<Family, number>();
  private readonly nums: Num[] = [];
  private readonly byList = new Map<List, Map<Family, number>>();

  /** The numbering instance and level of item `index` (0-based) of `list`. */
  numPr(list: List, index: number): NumPr {
    const n = list.start + index;
    const family: Family = !list.ordered
      ? 'bullet'
      : list.depth % 3 === 2 && n > CIRCLED_MAX
        ? 'ordered-past-20'
        : 'ordered';
    const level = levelOf(list.depth);
    let perList = this.byList.get(list);
    if (!perList) this.byList.set(list, (perList = new Map()));
    let numId = perList.get(family);
    if (numId === undefined) {
      let abstractId = this.families.get(family);
      if (abstractId === undefined) this.families.set(family, (abstractId = this.families.size));
      numId = this.nums.length + 1;
      // Items past ⑳ continue in an instance of their own, starting where they are.
      const start = family === 'bullet' ? undefined : family === 'ordered-past-20' ? n : list.start;
      this.nums.push({ numId, abstractId, level, ...(start === undefined ? {} : { start }) });
      perList.set(family, numId);
    }
    return { numId, level };
  }

  get empty(): boolean {
    return this.nums.length === 0;
  }

  /** `word/numbering.xml`: markers in the body font, a tab after each, hanging indent = tab. */
  xml(font: MarkerFont, emTwips: number): string {
    const abstracts = [...this.families].map(
      ([family, id]) =>
        `<w:abstractNum w:abstractNumId="${id}"><w:multiLevelType w:val="multilevel"/>` +
        Array.from({ length: 9 }, (_, depth) => this.lvl(family, depth, font, emTwips)).join('') +
        '</w:abstractNum>',
    );
    const nums = this.nums.map(
      (n) =>
        `<w:num w:numId="${n.numId}"><w:abstractNumId w:val="${n.abstractId}"/>` +
        (n.start === undefined
          ? ''
          : `<w:lvlOverride w:ilvl="${n.level}"><w:startOverride w:val="${n.start}"/></w:lvlOverride>`) +
        '</w:num>',
    );
    return (
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
      abstracts.join('') +
      nums.join('') +
      '</w:numbering>'
    );
  }

  private lvl(family: Family, depth: number, font: MarkerFont, em: number): string {
    const { numFmt, lvlText } = levelFormat(family, depth);
    const hang = Math.round(em * hangEm(family !== 'bullet', depth));
    const left = Math.round(em * 2 * depth) + hang;
    return (
      `<w:lvl w:ilvl="${depth}"><w:start w:val="1"/><w:numFmt w:val="${numFmt}"/>` +
      `<w:suff w:val="tab"/><w:lvlText w:val="${esc(lvlText)}"/><w:lvlJc w:val="left"/>` +
      `<w:pPr><w:tabs><w:tab w:val="num" w:pos="${left}"/></w:tabs><w:ind w:left="${left}" w:hanging="${hang}"/></w:pPr>` +
      `<w:rPr><w:rFonts w:ascii="${esc(font.ascii)}" w:hAnsi="${esc(font.hAnsi)}" w:eastAsia="${esc(font.eastAsia)}" w:cs="${esc(font.ascii)}" w:hint="eastAsia"/><w:b w:val="0"/></w:rPr>` +
      '</w:lvl>'
    );
  }
}

/** Replaces docx's `{tk-<numId>}` placeholders in document.xml with the numIds themselves. */
export function resolveNumIds(xml: string): string {
  return xml.replace(/w:val="\{tk-(\d+)\}"/g, 'w:val="$1"');
}
