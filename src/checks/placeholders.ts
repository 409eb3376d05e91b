// Fails a build whose text still holds a template placeholder (XX, xx, ××, ___), naming its source.
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Block, Document } from '../ir/types.js';
import { visit } from '../ir/text.js';

/** Runs of X/x standing alone (not inside a word such as "Maxx"), ××, ○○, and blank underscores. */
export const PLACEHOLDER_RE = /(?<![A-Za-z0-9])(?:XX+|xx+)(?![A-Za-z0-9])|××|○○|_{3,}|＿{2,}/;

export function findPlaceholders(doc: Document): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (root: Document | Block, origin?: string) =>
    visit(root, (n, clause) => {
      if (n.type !== 'text' && n.type !== 'var') return;
      const m = PLACEHOLDER_RE.exec(n.value);
      if (!m) return;
      // Text of the bid's own extra commitments is located at the body it came from.
      const path = n.type === 'var' && n.path ? n.path : origin ? `${origin}.body` : undefined;
      const where = path ? `字段 ${path}` : clause ? `条款 ${clause}` : `文档模板 ${doc.meta.id}`;
      out.push(
        diagnostic(
          'PlaceholderLeft',
          `《${doc.meta.title}》中出现占位符“${m[0]}”（来自${where}）：“${n.value.slice(0, 40)}”`,
          path ? { path } : {},
        ),
      );
    });
  for (const b of doc.children) {
    if (b.type === 'clause' && b.origin) check(b, b.origin);
    else check(b);
  }
  return out;
}
