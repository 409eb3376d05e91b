// Every character must exist in the PDF font that will draw it; a missing one is an error naming it.
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { codePointName } from '../../schema/fields.js';
import type { Document, Node } from '../../ir/types.js';
import { hasGlyph } from '../../fonts/coverage.js';
import type { FontKey } from '../../fonts/files.js';

/** Which font file draws text inside a node of this kind (headings and the title use 黑体). */
type Face = 'serif' | 'sans';

export function findMissingGlyphs(doc: Document): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const check = (s: string, face: Face, bold: boolean, where: string, path?: string) => {
    const file: FontKey =
      face === 'sans' ? (bold ? 'sansBold' : 'sansRegular') : bold ? 'serifBold' : 'serifRegular';
    for (const ch of s) {
      if (/\s/.test(ch)) continue;
      const cp = ch.codePointAt(0)!;
      if (hasGlyph(file, cp)) continue;
      const key = `${ch}|${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(
        diagnostic(
          'MissingGlyph',
          `字符“${ch}”（${codePointName(ch)}）在 PDF 字体中没有字形（出现在${where}）`,
          path ? { path } : {},
        ),
      );
    }
  };
  const walk = (n: Node, face: Face, bold: boolean, clause: string | null): void => {
    const where = (p: string | null) =>
      p ? `字段 ${p}` : clause ? `条款 ${clause}` : `《${doc.meta.title}》模板`;
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
        return check(n.caption, face, bold, where(null)); // the figure's own text is outlines
      case 'revision':
        return check(n.value, face, bold, where(null));
      default:
        return (n.children as readonly Node[]).forEach((c) => walk(c, face, bold, clause));
    }
  };
  walk(doc, 'serif', false, null);
  return out;
}
