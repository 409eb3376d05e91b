// Removing an optional section from a full bid removes exactly that section's sentences.
//
// The bid is examples/highway-monitoring.yaml, the fullest example, without its tender reference
// (a tender condition may need the section being removed) and with the documents fixed to the
// 承诺书 and the 售后服务方案 for every variant (so removing `training` does not also drop the
// 培训方案, and the letter's pointer to it reads the same in both). For each optional top-level
// section S, the bid without S is loaded through the normal loader (schema and rules), both bids are
// rendered to IR and checked (renderChecked), and the two documents are compared as sequences of
// text units.
//
// Units. Every paragraph, list-item paragraph, table row (cells joined), heading (its text without
// the number: numbers are resolved per document and renumber when a section goes), title and
// signature line is one unit. Figures, the contents and page breaks are not units: a figure is
// drawn from the bid, not written from clauses, and test/figures.test.ts checks each figure against
// the text beside it. Each unit carries the bid sections its values come from: the root of every
// `var` path (`warranty.components[1].period` → warranty), or, for a value a template computed
// (`path: null`, e.g. `training.modules | length`), the root of its expression; loop-local values
// such as row numbers are left out.
//
// Comparison. The units of each document are aligned by their text with a longest common
// subsequence; what is left over on the full side is "removed" and on the reduced side "added".
// A sentence that lost part of its content shows up as one removed and one added unit. Then:
//  1. Something from S was rendered and is gone (otherwise the test would prove nothing).
//  2. Every removed unit that carries bid values carries at least one value of S: no sentence about
//     another section disappears.
//  3. A removed unit that carries no bid value is scaffolding or a sentence driven by a yes/no
//     field (a lead-in such as “我方通过以下方式提供服务：”, a table header row, “质保期满后，电话技术
//     咨询继续免费。”: a boolean leaves no `var` in the IR). It may go only from a clause (one clause
//     container) that also lost a unit showing S. A removed heading may go only with everything it
//     heads: the rest of its clause up to the next heading of the same or a higher level, or, for a
//     template heading outside clauses (其他承诺), the sub-sections that follow it. Var-free text
//     outside clauses (the title, 致：…) must stay.
//  4. Every added unit is a removed unit of the same clause minus S: it carries exactly that
//     unit's values that are not from S. Nothing new appears.
//  5. No unit of the reduced documents carries a value of S.
// Together: the units that disappear or change are exactly those that stated something from S (and
// the scaffolding that only introduced them); every other unit is unchanged, apart from heading
// numbers.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { renderChecked } from '../src/build.js';
import type { Block, Document, Inline, List } from '../src/ir/types.js';
import { loadBidText } from '../src/load/bid.js';
import { COMMITMENT_SECTIONS, type BidParams } from '../src/schema/bid.js';
import { exampleFile } from './helpers.js';

// Every optional commitment section; the full example sets each of them (checked below).
const OPTIONAL = COMMITMENT_SECTIONS;
type Section = (typeof OPTIONAL)[number];

interface Unit {
  readonly doc: string;
  readonly kind: 'title' | 'heading' | 'paragraph' | 'row' | 'signature';
  readonly level?: number;
  readonly text: string;
  /** Top-level bid sections whose values the unit shows. */
  readonly roots: ReadonlySet<string>;
  /** Clause id, or null outside clauses. */
  readonly clause: string | null;
  /** Which clause container in the document (several may share an id), or -1 outside clauses. */
  readonly instance: number;
}

const rootOf = (s: string) => /^[A-Za-z_$][\w$]*/.exec(s.trim())?.[0];

function varRoots(children: readonly Inline[], into: Set<string>): void {
  for (const c of children) {
    if (c.type === 'strong') varRoots(c.children, into);
    if (c.type !== 'var' || c.local) continue;
    const root = rootOf(c.path ?? c.expr);
    if (root) into.add(root);
  }
}

function textOf(children: readonly Inline[]): string {
  return children
    .map((c) =>
      c.type === 'text' || c.type === 'var' || c.type === 'revision'
        ? c.value
        : c.type === 'strong'
          ? textOf(c.children)
          : '\n',
    )
    .join('');
}

function units(doc: Document): Unit[] {
  const out: Unit[] = [];
  let instance = -1;
  let inClause = false;
  const push = (
    kind: Unit['kind'],
    parts: readonly (readonly Inline[])[],
    clause: string | null,
    level?: number,
  ) => {
    const roots = new Set<string>();
    for (const p of parts) varRoots(p, roots);
    out.push({
      doc: doc.meta.id,
      kind,
      ...(level ? { level } : {}),
      text: parts.map(textOf).join(' | '),
      roots,
      clause,
      instance: inClause ? instance : -1,
    });
  };
  const list = (l: List, clause: string | null) => {
    for (const item of l.children)
      for (const b of item.children)
        if (b.type === 'list') list(b, clause);
        else push('paragraph', [b.children], clause);
  };
  const block = (b: Block, clause: string | null) => {
    switch (b.type) {
      case 'title':
        return push('title', [b.children], clause);
      case 'heading':
        return push('heading', [b.children], clause, b.level);
      case 'paragraph':
        return push('paragraph', [b.children], clause);
      case 'list':
        return list(b, clause);
      case 'table':
        for (const row of [...b.head, ...b.body])
          push(
            'row',
            row.children.map((c) => c.children),
            clause,
          );
        return;
      case 'signature':
        for (const line of b.children)
          push(
            'signature',
            [[{ type: 'text', value: `${line.label}：` }, ...line.children]],
            clause,
          );
        return;
      case 'clause':
        instance++;
        inClause = true;
        for (const c of b.children) block(c, b.id);
        inClause = false;
        return;
      case 'figure':
      case 'toc':
      case 'pageBreak':
        return;
    }
  };
  for (const b of doc.children) block(b, null);
  return out;
}

/** Indexes of `a` and `b` that a longest common subsequence of their texts pairs up. */
function align(a: readonly Unit[], b: readonly Unit[]): { keptA: Set<number>; keptB: Set<number> } {
  const n = a.length;
  const m = b.length;
  const dp = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i]![j] =
        a[i]!.text === b[j]!.text
          ? dp[i + 1]![j + 1]! + 1
          : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const keptA = new Set<number>();
  const keptB = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i]!.text === b[j]!.text) {
      keptA.add(i++);
      keptB.add(j++);
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) i++;
    else j++;
  }
  return { keptA, keptB };
}

/**
 * The units a heading heads. A clause's heading: the rest of its clause up to the next heading of
 * the same or a higher level. A template heading outside clauses (such as 其他承诺): the following
 * sub-sections, i.e. deeper headings and the clauses that open with one; a clause without its own
 * heading (the letter's closing) or text outside clauses ends it.
 */
function under(units: readonly Unit[], i: number): number[] {
  const h = units[i]!;
  const out: number[] = [];
  const opensDeeper = (k: number) => {
    const first = units.findIndex((x) => x.instance === units[k]!.instance);
    const f = units[first]!;
    return f.kind === 'heading' && f.level! > h.level!;
  };
  for (let k = i + 1; k < units.length; k++) {
    const u = units[k]!;
    if (u.kind === 'heading' && u.level! <= h.level!) break;
    if (h.instance >= 0 ? u.instance !== h.instance : u.instance < 0 || !opensDeeper(k)) break;
    out.push(k);
  }
  return out;
}

/** Rules 2–5 for one document: the full bid's units `a` against the units `b` without `section`. */
function compare(
  a: readonly Unit[],
  b: readonly Unit[],
  section: string,
): { problems: string[]; removedFromSection: number } {
  const problems: string[] = [];
  const { keptA, keptB } = align(a, b);
  const removed = a.map((u, i) => ({ u, i })).filter(({ i }) => !keptA.has(i));
  const added = b.filter((_, j) => !keptB.has(j));
  const fromSection = removed.filter(({ u }) => u.roots.has(section));
  const instancesLosingSection = new Set(fromSection.map(({ u }) => u.instance));

  for (const { u, i } of removed) {
    if (u.roots.size > 0) {
      // Rule 2: a sentence with bid values goes only if it stated something from the section.
      if (!u.roots.has(section))
        problems.push(`removed, but shows nothing from ${section}: ${describeUnit(u)}`);
    } else if (u.kind === 'heading') {
      // Rule 3: a heading goes only with everything under it.
      const kept = under(a, i).find((k) => keptA.has(k));
      if (kept !== undefined)
        problems.push(
          `heading “${u.text}” removed, but not what it heads: ${describeUnit(a[kept]!)}`,
        );
    } else if (u.instance < 0 || !instancesLosingSection.has(u.instance)) {
      // Rule 3: var-free text goes only as the scaffolding of the section's content.
      problems.push(`removed text that does not belong to ${section}: ${describeUnit(u)}`);
    }
  }

  // Rule 4: a changed sentence is a removed one of the same clause without the section's part.
  for (const u of added) {
    const before = fromSection.find(
      ({ u: r }) =>
        r.clause === u.clause &&
        sameSet(u.roots, new Set([...r.roots].filter((x) => x !== section))),
    );
    if (!before) problems.push(`new or changed text: ${describeUnit(u)}`);
  }

  // Rule 5: nothing in the reduced document shows a value of the removed section.
  for (const u of b)
    if (u.roots.has(section)) problems.push(`still shows ${section}: ${describeUnit(u)}`);

  return { problems, removedFromSection: fromSection.length };
}

const DOCUMENTS = ['commitment-letter', 'service-plan'] as const;
const source = parseYaml(readFileSync(exampleFile('highway-monitoring'), 'utf8')) as Record<
  string,
  unknown
>;

/** The example without its tender reference and `without` section, loaded like any bid file. */
function variant(without?: Section): BidParams {
  const data: Record<string, unknown> = { ...source, documents: [...DOCUMENTS] };
  delete data.tender;
  if (without) delete data[without];
  const r = loadBidText(
    stringifyYaml(data),
    `highway-monitoring-without-${without ?? 'nothing'}.yaml`,
  );
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics, null, 1));
  return r.bid.params;
}

function render(bid: BidParams): Map<string, Unit[]> {
  const docs = renderChecked(bid);
  const ids = docs.map((d) => d.meta.id).join(',');
  if (ids !== DOCUMENTS.join(',')) throw new Error(`rendered ${ids}`);
  return new Map(docs.map((d) => [d.meta.id, units(d)]));
}

const full = render(variant());
const describeUnit = (u: Unit) => `[${u.doc}${u.clause ? `/${u.clause}` : ''}] ${u.text}`;
const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((x) => b.has(x));

describe('removing an optional section from examples/highway-monitoring.yaml', () => {
  it('the full bid renders every optional section somewhere', () => {
    const roots = new Set([...full.values()].flat().flatMap((u) => [...u.roots]));
    for (const s of OPTIONAL) expect(roots, s).toContain(s);
  });

  it.each(OPTIONAL)(
    'without %s: exactly the sentences stating that section disappear',
    (section) => {
      const reduced = render(variant(section));
      const problems: string[] = [];
      let removedFromSection = 0;
      for (const id of DOCUMENTS) {
        const r = compare(full.get(id)!, reduced.get(id)!, section);
        problems.push(...r.problems);
        removedFromSection += r.removedFromSection;
      }
      expect(problems).toEqual([]);
      // Rule 1: the section was rendered, and its sentences are gone.
      expect(removedFromSection).toBeGreaterThan(0);
    },
  );
});

describe('the comparison itself', () => {
  const letter = () => full.get('commitment-letter')!;
  const withoutPenalties = render(variant('penalties')).get('commitment-letter')!;
  const unit = (text: string, roots: string[], clause = 'c', instance = 0): Unit => ({
    doc: 'test',
    kind: 'paragraph',
    text,
    roots: new Set(roots),
    clause,
    instance,
  });

  it('accepts the real removal of a section', () => {
    expect(compare(letter(), withoutPenalties, 'penalties').problems).toEqual([]);
  });

  it('catches a closing line that disappears with the section', () => {
    const lost = withoutPenalties.filter((u) => u.text !== '特此承诺。');
    expect(lost.length).toBe(withoutPenalties.length - 1);
    expect(compare(letter(), lost, 'penalties').problems).toEqual([
      expect.stringContaining(
        'removed text that does not belong to penalties: [commitment-letter/letter-closing] 特此承诺。',
      ),
    ]);
  });

  it('catches a sentence about another section that changes', () => {
    const changed = withoutPenalties.map((u) =>
      u.clause === 'warranty-period' && u.roots.has('warranty') && u.kind === 'paragraph'
        ? { ...u, text: u.text.replace('壹年', '贰年') }
        : u,
    );
    const problems = compare(letter(), changed, 'penalties').problems;
    expect(problems.some((p) => p.startsWith('removed, but shows nothing from penalties'))).toBe(
      true,
    );
    expect(problems.some((p) => p.startsWith('new or changed text'))).toBe(true);
  });

  it('catches a heading that goes while its content stays', () => {
    const headless = withoutPenalties.filter((u) => !(u.kind === 'heading' && u.text === '质保期'));
    expect(compare(letter(), headless, 'penalties').problems).toEqual([
      expect.stringContaining('heading “质保期” removed, but not what it heads'),
    ]);
  });

  it('accepts a sentence that loses only the section part, and nothing else', () => {
    const before = [unit('甲一。', ['a', 'S']), unit('乙。', ['b'], 'd', 1)];
    expect(compare(before, [unit('甲。', ['a']), before[1]!], 'S').problems).toEqual([]);
    expect(compare(before, [unit('甲。', ['a', 'b']), before[1]!], 'S').problems).toEqual([
      expect.stringContaining('new or changed text'),
    ]);
    // A sentence about another section that goes, while the section's own sentence stays.
    expect(compare(before, [before[0]!], 'S').problems).toEqual([
      expect.stringContaining('removed, but shows nothing from S: [test/d] 乙。'),
      expect.stringContaining('still shows S: [test/c] 甲一。'),
    ]);
  });
});
