// Every character must exist in the PDF font that will draw it; a missing one is an error naming it.
// The fonts are the document's house style: the built-in Noto faces, or the workspace's own files.
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { codePointName } from '../../schema/fields.js';
import { styleOf } from '../../ir/layout.js';
import type { Document, Node, PdfFont } from '../../ir/types.js';
import { glyphTest, hasGlyph } from '../../fonts/coverage.js';

/** Which role's font draws text inside a node of this kind (headings and the title: heading). */
type Face = 'serif' | 'sans';

/** A glyph test for one face of a PDF font. */
function faceTest(font: PdfFont, bold: boolean): (cp: number) => boolean {
  if (font.kind === 'file')
    return bold ? glyphTest(font.bold, font.boldFace) : glyphTest(font.regular, font.regularFace);
  const key =
    font.name === 'noto-sans-sc'
      ? bold
        ? 'sansBold'
        : 'sansRegular'
      : bold
        ? 'serifBold'
        : 'serifRegular';
  return (cp) => hasGlyph(key, cp);
}

export function findMissingGlyphs(doc: Document): Diagnostic[] {
  const style = styleOf(doc);
  const tests = new Map<string, (cp: number) => boolean>();
  const testFor = (face: Face, bold: boolean) => {
    const k = `${face}${bold ? 'B' : ''}`;
    let t = tests.get(k);
    if (!t) {
      t = faceTest(face === 'sans' ? style.fonts.heading.pdf : style.fonts.body.pdf, bold);
      tests.set(k, t);
    }
    return t;
  };
  const fontName = (face: Face) => {
    const f = (face === 'sans' ? style.fonts.heading : style.fonts.body).pdf;
    return f.kind === 'file' ? ` PDF 字体 ${f.family} ` : ' PDF 字体';
  };
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const builtinSans = (bold: boolean) => (cp: number) =>
    hasGlyph(bold ? 'sansBold' : 'sansRegular', cp);
  const check = (
    s: string,
    face: Face,
    bold: boolean,
    where: string,
    path?: string,
    test: (cp: number) => boolean = testFor(face, bold),
    font = fontName(face),
  ) => {
    const has = test;
    for (const ch of s) {
      if (/\s/.test(ch)) continue;
      const cp = ch.codePointAt(0)!;
      if (has(cp)) continue;
      const key = `${ch}|${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(
        diagnostic(
          'MissingGlyph',
          `字符“${ch}”（${codePointName(ch)}）在${font}中没有字形（出现在${where}）`,
          path ? { path } : {},
        ),
      );
    }
  };
  const walk = (n: Node, face: Face, bold: boolean, clause: string | null): void => {
    const where = (p: string | null) =>
      p ? fieldWhere(p) : clause ? `条款 ${clause}` : `《${doc.meta.title}》模板`;
    switch (n.type) {
      case 'text':
        return check(n.value, face, bold, where(null));
      case 'var':
        return check(n.value, face, bold, where(n.path), n.path ?? undefined);
      case 'heading':
        check(n.label, 'sans', true, where(null));
        return n.children.forEach((c) => walk(c, 'sans', true, clause));
      case 'title':
        return n.children.forEach((c) => walk(c, 'sans', true, clause));
      case 'signatureLine':
        check(n.label, face, bold, where(null));
        return n.children.forEach((c) => walk(c, face, bold, clause));
      case 'strong':
        return n.children.forEach((c) => walk(c, face, true, clause));
      case 'table':
        return [
          ...n.head.map((r) => [r, true] as const),
          ...n.body.map((r) => [r, false] as const),
        ].forEach(([r, head]) => walk(r, face, head, clause));
      case 'clause':
        return n.children.forEach((c) => walk(c, face, bold, n.id));
      case 'break':
        return;
      case 'toc':
        return check(n.title, 'sans', true, where(null));
      case 'pageBreak':
        return;
      case 'figure':
        check(n.caption, face, bold, where(null));
        // The figure's own labels are drawn in the built-in Noto Sans SC, whatever the house style:
        // each label (a bid value, such as a team member's name) is checked against that font.
        for (const m of n.marks)
          if (m.type === 'text')
            check(
              m.text,
              'sans',
              m.bold,
              `图${n.number}“${n.caption}”的标注`,
              undefined,
              builtinSans(m.bold),
              '图中标注所用的 Noto Sans SC ',
            );
        return;
      case 'revision':
        return check(n.value, face, bold, where(null));
      default:
        return (n.children as readonly Node[]).forEach((c) => walk(c, face, bold, clause));
    }
  };
  walk(doc, 'serif', false, null);
  // The house style's own text, drawn in the body font on every page.
  if (doc.meta.style) {
    check(
      style.footer.replace(/\{pages?\}/g, '0123456789'),
      'serif',
      false,
      'tenderkit.yaml 的页脚格式 style.footer',
    );
    if (style.header?.text)
      check(style.header.text, 'serif', false, 'tenderkit.yaml 的页眉文字 style.header.text');
  }
  return out;
}

/** Words of the tender file the deviation table quotes, by the field they fill there. */
const FROM_TENDER: Readonly<Record<string, string>> = {
  requirement: '招标要求',
  item: '条目号',
  required: '要求的数值',
};

/**
 * Where a value stands, for a message: `字段 staff.roster[0].name`; a deviation's words from the
 * tender file as the row of the deviation table that shows them (the problem is located in the
 * tender file: src/prepare.ts).
 */
function fieldWhere(path: string): string {
  const m = /^deviations\[(\d+)\]\.(\w+)$/.exec(path);
  const what = m && FROM_TENDER[m[2]!];
  return what ? `招标文件中偏离表第 ${Number(m[1]) + 1} 行的${what}` : `字段 ${path}`;
}
