// A commitment the bid file sets that no generated document states. The bid team believes they
// promised it; the tenderee will never read it. Typical cause: `documents:` leaves out the one
// document that states a section (training without the 培训方案), or a clause pinned to an old
// version that does not mention it.
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Document } from '../ir/types.js';
import { inlineText, visit } from '../ir/text.js';
import { labelAt } from '../load/zod-issues.js';
import { bidSchema, COMMITMENT_SECTIONS, type BidParams } from '../schema/bid.js';
import { documentLabels } from '../schema/labels.js';

type Section = (typeof COMMITMENT_SECTIONS)[number];

/** A section counts as set when it holds at least one value: not absent, not an empty list or object. */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.some(isSet);
  if (typeof v === 'object') return Object.values(v as object).some(isSet);
  return true;
}

const inSection = (path: string, section: string) =>
  path === section || path.startsWith(`${section}.`) || path.startsWith(`${section}[`);

/** Every document's text in one string, for comparing two renderings. */
function allText(docs: readonly Document[]): string {
  const parts: string[] = [];
  for (const d of docs)
    visit(d, (n) => {
      if (n.type === 'paragraph' || n.type === 'heading') parts.push(inlineText(n.children));
      if (n.type === 'figure') parts.push(n.svg);
    });
  return parts.join('\n');
}

/**
 * Sections the bid sets that no document states. A section is stated when a document shows one of
 * its values; a section only ever read by conditions (`staff: { fullTime: true }` turns on the word
 * 专职) shows none, so for those the documents are rendered again without the section: if nothing
 * changes, nothing states it. `rerender` renders the same documents for a changed bid.
 */
export function unstatedCommitments(
  docs: readonly Document[],
  bid: BidParams,
  rerender: (bid: BidParams) => readonly Document[],
): Diagnostic[] {
  const shown = new Set<string>();
  for (const d of docs)
    visit(d, (n) => {
      if (n.type === 'var' && n.path) shown.add(n.path);
    });
  const paths = [...shown];
  const out: Diagnostic[] = [];
  let before: string | undefined;
  for (const section of COMMITMENT_SECTIONS) {
    if (!isSet(bid[section])) continue;
    if (paths.some((p) => inSection(p, section))) continue;
    if (statedThroughConditions(section)) continue;
    const label = labelAt(bidSchema, [section]) ?? section;
    const titles = docs.map((d) => `《${d.meta.title}》`).join('');
    out.push(
      diagnostic(
        'CommitmentNotStated',
        `投标参数设定了“${label}”（${section}），但本次生成的文件${titles}都没有写到它`,
        {
          severity: 'warning',
          path: section,
          hint: hintFor(section, docs),
        },
      ),
    );
  }
  return out;

  function statedThroughConditions(section: Section): boolean {
    before ??= allText(docs);
    try {
      return allText(rerender({ ...bid, [section]: undefined })) !== before;
    } catch {
      return true; // cannot tell: say nothing rather than something false
    }
  }
}

function hintFor(section: Section, docs: readonly Document[]): string {
  const ids = new Set(docs.map((d) => d.meta.id));
  if (section === 'training' && !ids.has('training-plan'))
    return `培训承诺写在《${documentLabels['training-plan']}》中：请在 documents 中加入 training-plan，或删除 training 一节。`;
  if (!ids.has('service-plan'))
    return `请在 documents 中加入 service-plan（${documentLabels['service-plan']}），或删除这一节，或检查条款版本是否写到了它。`;
  return '请检查 documents 列出的文件和固定的条款版本（clauseVersions）是否写到了这一节；不需要这项承诺就删除这一节。';
}
