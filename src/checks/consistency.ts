// Checks across the rendered documents of one bid: every value from the bid reads the same
// everywhere, and no clause writes literally a number the bid itself sets.
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Document } from '../ir/types.js';
import { visit } from '../ir/text.js';
import type { BidParams } from '../schema/bid.js';

/** Every value from the bid (`path`) or computed the same way (`expr`) must agree across documents. */
export function crossDocumentMismatches(docs: readonly Document[]): Diagnostic[] {
  const seen = new Map<string, { doc: string; shown: string; compare: string }>();
  const out: Diagnostic[] = [];
  for (const doc of docs) {
    visit(doc, (n) => {
      if (n.type !== 'var' || n.local) return;
      // A field may be written differently (壹年 / 12个月), so fields compare by raw value; a computed
      // value (a total) compares by the text shown for the same expression.
      const key = n.path ?? `=${n.expr}`;
      const compare = n.path ? JSON.stringify(n.raw) : n.value;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, { doc: doc.meta.title, shown: n.value, compare });
      } else if (first.compare !== compare) {
        out.push(
          diagnostic(
            'InconsistentValue',
            `${n.path ?? n.expr} 在《${first.doc}》中为“${first.shown}”，在《${doc.meta.title}》中为“${n.value}”`,
            {
              ...(n.path ? { path: n.path } : {}),
            },
          ),
        );
      }
    });
  }
  return out;
}

/** Units a literal number may carry, by the bid field it would duplicate. */
function unitsFor(key: string): string[] {
  if (/Months$/.test(key)) return ['个月', '月'];
  if (/Minutes$/.test(key)) return ['分钟'];
  if (/Years$/.test(key)) return ['年'];
  if (/^hours$|Hours/.test(key)) return ['小时', '学时'];
  if (/[cC]ount$|Engineers$/.test(key)) return ['名', '人'];
  return [];
}

const UNIT_WORDS: Record<string, string[]> = {
  minute: ['分钟'],
  hour: ['小时'],
  day: ['日', '天'],
  workday: ['个工作日', '工作日'],
  week: ['周'],
  month: ['个月', '月'],
  year: ['年'],
};

function numericFields(v: unknown, key: string, out: Map<string, string>, path: string): void {
  const d = v as { kind?: unknown; amount?: unknown; unit?: unknown; text?: unknown } | null;
  if (d && typeof d === 'object' && d.kind === 'amount' && typeof d.amount === 'number') {
    // A duration: the same length written as a clause literal would drift from the bid.
    for (const u of UNIT_WORDS[String(d.unit)] ?? [])
      if (!out.has(`${d.amount}${u}`)) out.set(`${d.amount}${u}`, path);
    if (d.unit === 'month' && d.amount % 12 === 0 && !out.has(`${d.amount / 12}年`))
      out.set(`${d.amount / 12}年`, path);
    if (d.unit === 'year' && !out.has(`${d.amount * 12}个月`))
      out.set(`${d.amount * 12}个月`, path);
    return;
  }
  if (typeof v === 'number') {
    for (const u of unitsFor(key)) if (!out.has(`${v}${u}`)) out.set(`${v}${u}`, path);
    if (/Months$/.test(key) && v % 12 === 0 && !out.has(`${v / 12}年`))
      out.set(`${v / 12}年`, path);
  } else if (Array.isArray(v)) v.forEach((x, i) => numericFields(x, key, out, `${path}[${i}]`));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) numericFields(x, k, out, path ? `${path}.${k}` : k);
}

const LITERAL = /(?<![×x*\d.])(\d+(?:\.\d+)?)\s*(个月|月|年|分钟|小时|学时|名|人)/g;

/** Literal clause text such as “12个月” where the bid also sets 12 months: it will drift. */
export function hardCodedValues(docs: readonly Document[], bid: BidParams): Diagnostic[] {
  const fields = new Map<string, string>();
  numericFields(bid, '', fields, '');
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const doc of docs) {
    visit(doc, (n, clause) => {
      // A bid's own extra commitments are the bid's words, not clause text.
      if (n.type !== 'text' || !clause || clause.startsWith('extra-commitment')) return;
      for (const m of n.value.matchAll(LITERAL)) {
        const field = fields.get(`${m[1]}${m[2]}`);
        const key = `${clause}|${m[0]}`;
        if (!field || reported.has(key)) continue;
        reported.add(key);
        out.push(
          diagnostic(
            'HardCodedValue',
            `条款 ${clause} 直接写了“${m[0]}”，而投标参数 ${field} 也设定了这个数值`,
            {
              severity: 'warning',
            },
          ),
        );
      }
    });
  }
  return out;
}

/** All document-level checks; errors and warnings together. */
export function checkDocuments(docs: readonly Document[], bid: BidParams): Diagnostic[] {
  return [...crossDocumentMismatches(docs), ...hardCodedValues(docs, bid)];
}
