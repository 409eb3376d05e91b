// The commitment checklist (`tenderkit explain`): every commitment the rendered documents make, one
// entry each, with the value as the documents write it, the documents and clause versions that state
// it, and the bid-file line it comes from. Built from the IR's provenance (`var` paths, `clause`
// nodes); a yes/no field leaves no value in the text, so it is traced by rendering the clauses
// without it and seeing which change.
import type { Deviation } from '../checks/deviations.js';
import type { Location } from '../diagnostics/diagnostic.js';
import { milestoneName } from '../format/milestones.js';
import type { ClauseContent, Document, Node } from '../ir/types.js';
import { blockLines } from '../ir/text.js';
import { defaultLibrary, type Library } from '../library/library.js';
import { formatPath, labelAt, parseFieldPath, valueAt } from '../load/zod-issues.js';
import type { FieldPath } from '../load/yaml-file.js';
import type { RenderExtra } from '../render/document.js';
import {
  RenderScope,
  SLOT_RE,
  TemplateCodeError,
  type CompiledTemplate,
} from '../render/template-engine.js';
import { bidSchema, documentsOf, type BidParams, type Milestone } from '../schema/bid.js';

/** What explain needs of a prepared bid (`prepareBid` gives all of it). */
export interface ExplainInput {
  readonly params: BidParams;
  /** Where a field path stands in the bid file (or in the company profile, for its values). */
  readonly locatePath: (path: string) => Location;
  /** Whether a field's value came from the bid file or the company profile. */
  readonly originOf?: (path: string) => { readonly from: 'bid' | 'company' };
  readonly extra?: RenderExtra;
  readonly deviations?: readonly Deviation[];
}

export interface Commitment {
  /** The bid field that carries it: `staff.committedCount`, `responseTiers[0].milestones[1]`. */
  readonly path: string;
  /** Chinese label path: `故障响应等级 › A类问题 · 到达现场`. */
  readonly label: string;
  /** The value as the documents write it. */
  readonly value: string;
  /** Titles of the documents that state it, in build order. */
  readonly documents: readonly string[];
  /** Library clause versions (`id@version`) that state it; empty for template text and the bid's own. */
  readonly clauses: readonly string[];
  /** Also stated by a document-template item outside clauses (a title page, 致：…, the signature). */
  readonly template: boolean;
  /** The file the value is written in: the bid file, or the company profile (company.yaml). */
  readonly file: string | null;
  readonly line: number | null;
  readonly col: number | null;
  /** `company`: the value came from the company profile, not the bid file. */
  readonly origin: 'bid' | 'company';
  /** False for the bid's own extra commitments: text legal never reviewed. */
  readonly reviewed: boolean;
  /** `basic`: names, addresses and dates the documents state, which promise nothing. */
  readonly section: 'commitment' | 'basic';
}

/** Who writes, to whom, about what, and when: stated facts, not promises. */
const BASIC_ROOTS = new Set(['tenderee', 'bidder', 'project', 'signature']);
const BID_ROOTS = new Set(Object.keys(bidSchema.shape));
/** Bid fields that steer the build rather than say anything. */
const NOT_STATED = new Set([
  'version',
  'documents',
  'tender',
  'clauseVersions',
  'extraCommitments',
]);

/** The shape of a path with list indices erased: `responseTiers[].milestones[].within`. */
function shape(segs: FieldPath): string {
  return segs.reduce<string>(
    (s, x, i) => (typeof x === 'number' ? `${s}[]` : i === 0 ? x : `${s}.${x}`),
    '',
  );
}

interface ItemSpec {
  /** The item's field whose value names it in the label (shown there, not in the value). */
  readonly name?: string;
  /** The field shown first in the value; the others follow in brackets. */
  readonly primary?: string;
}

const MILESTONES = new Set(['responseTiers[].milestones[]', 'afterWarranty.milestones[]']);

/** One entry per item of these lists. */
const ITEMS: Record<string, ItemSpec> = {
  'warranty.components[]': { name: 'name', primary: 'period' },
  'service.channels[]': { primary: 'kind' },
  'service.availability[]': { name: 'metric', primary: 'percent' },
  'service.reports[]': { name: 'name', primary: 'every' },
  'responseTiers[]': { name: 'name', primary: 'definition' },
  'responseTiers[].milestones[]': {},
  'afterWarranty.milestones[]': {},
  'emergency.risks[]': { name: 'risk', primary: 'measures' },
  'penalties.items[]': { name: 'condition', primary: 'measure' },
  'training.audiences[]': { name: 'name', primary: 'goal' },
  'training.modules[]': { name: 'title', primary: 'content' },
  'training.schedule[]': { name: 'phase', primary: 'modules' },
  'extraCommitments[]': { name: 'title' },
};

/** One entry for the whole field (a name list is one commitment: “人员名单：10人”). */
const WHOLE: Record<string, ItemSpec> = {
  'staff.roster': {},
  'training.trainers': {},
  'exclusions.standard': {},
  'exclusions.extra': {},
  'warranty.freeServices': {},
  'training.materials': {},
  'service.escalation': {},
  'service.consultationClosure': { primary: 'percent' },
  'service.freeUpgrades': { primary: 'period' },
};

/** Field labels that name the ids a field holds, where the documents show the names. */
const SHOWN_AS: Record<string, string> = {
  'training.modules[].audiences': '培训对象',
  'training.schedule[].modules': '培训模块',
};

/** The commitment a field belongs to: the list item or whole field it is part of, else itself. */
export function commitmentOf(segs: FieldPath): FieldPath {
  for (let n = segs.length; n > 0; n--) {
    const s = shape(segs.slice(0, n));
    if (ITEMS[s] || WHOLE[s]) return segs.slice(0, n);
  }
  const i = segs.findIndex((s) => typeof s === 'number');
  return i < 0 ? segs : segs.slice(0, i + 1);
}

const plain = (s: string) => s.replace(/\s+/g, ' ').trim();
const bare = (label: string) => label.replace(/（[^）]*）$/, '');

interface Entry {
  readonly key: string;
  readonly segs: FieldPath;
  readonly docs: Set<number>;
  readonly clauses: Set<string>;
  /** Stated outside clauses, by a template item. */
  template: boolean;
  /** Values shown, by the path below the commitment (`''` for the field itself). */
  readonly parts: Map<string, string[]>;
  /** Yes/no fields below it that the documents state. */
  readonly flags: Set<string>;
  reviewed: boolean;
  /** For the bid's own commitments: the text as the document prints it. */
  text?: string;
  /** A value computed by a template (`=expr`): what it counts. */
  computed?: string;
  /** What the 偏离表 shows for it, when nothing else does. */
  deviation?: string;
}

/** The text of clause content, one line per paragraph, list item or table cell. */
function contentText(blocks: readonly ClauseContent[]): string {
  return blockLines(blocks).join('\n');
}

/**
 * Renders every library clause version the documents use with the given parameters, as plain text
 * (values filled in), keyed by `id@version`; a clause that fails without some value reads `null`.
 */
function clauseTexts(
  uses: ReadonlyMap<string, CompiledTemplate>,
  params: BidParams,
  extra: RenderExtra | undefined,
): Map<string, string | null> {
  const scope = new RenderScope({
    ...(params as unknown as Record<string, unknown>),
    deviations: extra?.deviations,
    outputs: documentsOf(params),
  });
  const out = new Map<string, string | null>();
  for (const [ref, compiled] of uses) {
    try {
      const r = compiled.render(scope);
      out.set(
        ref,
        r.text.replace(SLOT_RE, (_m, i: string) => r.slots[Number(i)]?.value ?? ''),
      );
    } catch (e) {
      if (!(e instanceof TemplateCodeError)) throw e;
      out.set(ref, null);
    }
  }
  return out;
}

/** Paths of every `true` yes/no field the bid sets (these leave no value in the text). */
function flagPaths(v: unknown, segs: (string | number)[] = [], out: FieldPath[] = []): FieldPath[] {
  if (v === true && segs.length) out.push(segs);
  else if (Array.isArray(v)) v.forEach((x, i) => flagPaths(x, [...segs, i], out));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (segs.length === 0 && (NOT_STATED.has(k) || BASIC_ROOTS.has(k))) continue;
      flagPaths(x, [...segs, k], out);
    }
  return out;
}

/** The concrete paths a tender condition's field names (`[*]` every item, `[kind=onsite]` a match). */
function concretePaths(bid: unknown, field: string): FieldPath[] {
  let paths: { segs: (string | number)[]; v: unknown }[] = [{ segs: [], v: bid }];
  for (const s of parseFieldPath(field)) {
    const next: typeof paths = [];
    for (const p of paths) {
      if (s === '*' || (typeof s === 'string' && s.includes('='))) {
        if (!Array.isArray(p.v)) continue;
        const [k, want] = String(s).split('=');
        p.v.forEach((x, i) => {
          if (
            s === '*' ||
            (x && typeof x === 'object' && (x as Record<string, unknown>)[k!] === want)
          )
            next.push({ segs: [...p.segs, i], v: x });
        });
      } else if (p.v && typeof p.v === 'object') {
        next.push({ segs: [...p.segs, s], v: (p.v as Record<string | number, unknown>)[s] });
      }
    }
    paths = next;
  }
  return paths.filter((p) => p.v !== undefined).map((p) => p.segs);
}

/** Lists every commitment (and the basic facts) the rendered documents state. */
export function explainCommitments(
  bid: ExplainInput,
  docs: readonly Document[],
  library: Library = defaultLibrary(),
): Commitment[] {
  const params = bid.params;
  const entries = new Map<string, Entry>();
  const entry = (key: string, segs: FieldPath): Entry => {
    let e = entries.get(key);
    if (!e) {
      e = {
        key,
        segs,
        docs: new Set(),
        clauses: new Set(),
        template: false,
        parts: new Map(),
        flags: new Set(),
        reviewed: true,
      };
      entries.set(key, e);
    }
    return e;
  };
  const field = (segs: FieldPath): Entry => {
    const own = commitmentOf(segs);
    return entry(formatPath(own), own);
  };
  const deviations = bid.deviations ?? bid.extra?.deviations ?? [];

  docs.forEach((doc, di) => {
    const visitNode = (n: Node, clause: string | null) => {
      if (n.type === 'var') {
        if (n.local) return;
        const stated = (e: Entry) => {
          e.docs.add(di);
          if (clause) e.clauses.add(clause);
          else e.template = true;
        };
        if (n.path === null) {
          const root = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/.exec(n.expr)?.[0];
          const segs = root ? parseFieldPath(root) : [];
          if (!BID_ROOTS.has(String(segs[0])) || valueAt(params, segs) === undefined) return;
          const e = entry(`=${n.expr}`, segs);
          e.computed = n.expr;
          if (!e.parts.has('')) e.parts.set('', [n.value]);
          return stated(e);
        }
        const segs = parseFieldPath(n.path);
        const root = String(segs[0]);
        if (root === 'deviations' && typeof segs[1] === 'number') {
          const d = deviations[segs[1]];
          if (!d) return;
          for (const p of concretePaths(params, d.field)) {
            const e = field(p);
            e.deviation ??= d.actual;
            stated(e);
          }
          return;
        }
        if (!BID_ROOTS.has(root) || NOT_STATED.has(root)) return;
        const e = field(segs);
        const sub = formatPath(segs.slice(e.segs.length));
        const values = e.parts.get(sub) ?? [];
        if (!values.includes(n.value)) values.push(n.value);
        e.parts.set(sub, values);
        return stated(e);
      }
      if (n.type === 'table') {
        for (const r of [...n.head, ...n.body]) visitNode(r, clause);
        return;
      }
      if ('children' in n) for (const c of n.children as readonly Node[]) visitNode(c, clause);
    };
    for (const b of doc.children) {
      if (b.type === 'clause' && b.origin !== undefined) {
        const segs = parseFieldPath(b.origin);
        if (valueAt(params, segs) === undefined) continue;
        const e = entry(b.origin, segs);
        e.docs.add(di);
        e.reviewed = false;
        e.text ??= plain(contentText(b.children.filter((c) => c.type !== 'heading')));
        continue;
      }
      visitNode(b, b.type === 'clause' ? `${b.id}@${b.version}` : null);
    }
  });

  // Yes/no fields print no value: render the clauses without each one; those whose text changes
  // are the ones that state it.
  const uses = new Map<string, CompiledTemplate>();
  const usedIn = new Map<string, Set<number>>();
  docs.forEach((doc, di) => {
    for (const b of doc.children) {
      if (b.type !== 'clause' || b.origin !== undefined) continue;
      const ref = `${b.id}@${b.version}`;
      const compiled = library.clauses.get(b.id)?.compiled.get(b.version);
      if (!compiled) continue;
      uses.set(ref, compiled);
      usedIn.set(ref, (usedIn.get(ref) ?? new Set()).add(di));
    }
  });
  const flags = flagPaths(params);
  const before = flags.length ? clauseTexts(uses, params, bid.extra) : new Map<string, null>();
  for (const segs of flags) {
    const without = structuredClone(params) as unknown as Record<string | number, unknown>;
    const parent = valueAt(without, segs.slice(0, -1)) as Record<string | number, unknown>;
    delete parent[segs[segs.length - 1]!];
    const after = clauseTexts(uses, without as unknown as BidParams, bid.extra);
    const changed = [...before.keys()].filter((ref) => after.get(ref) !== before.get(ref));
    if (!changed.length) continue; // set, but no document says it
    const e = field(segs);
    e.flags.add(formatPath(segs.slice(e.segs.length)));
    for (const ref of changed) {
      e.clauses.add(ref);
      for (const di of usedIn.get(ref) ?? []) e.docs.add(di);
    }
  }

  const out: Commitment[] = [];
  for (const e of entries.values()) {
    if (!e.docs.size) continue;
    const { label, value: shown } = describe(e, params);
    let value = shown;
    if (shape(e.segs) === 'staff.roster' && bid.originOf) {
      // People picked from the company's roster pool (staff.rosterFrom).
      const n = params.staff?.roster.length ?? 0;
      const picked = Array.from({ length: n }, (_, i) => i).filter(
        (i) => bid.originOf!(`staff.roster[${i}]`).from === 'company',
      ).length;
      if (picked) value = `${shown}（其中 ${picked} 人取自公司人员库）`;
    }
    const loc = bid.locatePath(formatPath(e.segs));
    const origin = bid.originOf?.(formatPath(e.segs)).from ?? 'bid';
    out.push({
      path: e.computed ? formatPath(e.segs) : e.key,
      label,
      value,
      documents: [...e.docs].sort((a, b) => a - b).map((i) => docs[i]!.meta.title),
      clauses: [...e.clauses].sort((a, b) => order(docs, a) - order(docs, b)),
      template: e.template,
      file: loc.file ?? null,
      line: loc.line ?? null,
      col: loc.col ?? null,
      origin,
      reviewed: e.reviewed,
      section: BASIC_ROOTS.has(String(e.segs[0])) ? 'basic' : 'commitment',
    });
  }
  // The bid's own values first, in file order; then those from the company profile.
  return out.sort(
    (a, b) =>
      Number(a.origin === 'company') - Number(b.origin === 'company') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      a.path.localeCompare(b.path) ||
      a.label.localeCompare(b.label),
  );
}

/** Clauses in the order they first appear across the documents. */
function order(docs: readonly Document[], ref: string): number {
  let n = 0;
  for (const d of docs)
    for (const b of d.children) {
      if (b.type === 'clause' && `${b.id}@${b.version}` === ref) return n;
      n++;
    }
  return n;
}

/** Label parts along a path: field labels, and list items by their name (`A类问题`). */
function labelParts(segs: FieldPath, params: BidParams): string[] {
  const parts: string[] = [];
  let listLabelAt = -1;
  for (let n = 1; n <= segs.length; n++) {
    const prefix = segs.slice(0, n);
    const seg = segs[n - 1]!;
    if (typeof seg === 'number') {
      const s = shape(prefix);
      const item = valueAt(params, prefix) as Record<string, unknown> | undefined;
      if (MILESTONES.has(s)) {
        // “A类问题 · 到达现场”: the milestone joins the tier (or section) it belongs to.
        if (listLabelAt === parts.length - 1) parts.pop();
        const name = milestoneName(item as unknown as Milestone);
        if (parts.length) parts[parts.length - 1] += ` · ${name}`;
        else parts.push(name);
        continue;
      }
      const nameField = ITEMS[s]?.name;
      const name = nameField ? item?.[nameField] : undefined;
      if (typeof name === 'string') parts.push(plain(name));
      continue;
    }
    const l = labelAt(bidSchema, prefix);
    if (l && l !== parts[parts.length - 1]) {
      parts.push(l);
      listLabelAt = parts.length - 1;
    } else listLabelAt = -1;
  }
  return parts;
}

function subLabel(e: Entry, sub: string): string {
  const segs = [...e.segs, ...parseFieldPath(sub)];
  return SHOWN_AS[shape(segs)] ?? bare(labelAt(bidSchema, segs) ?? sub);
}

/** How a computed value relates to its field: `| length` → 数量, `| sum('hours')` → 课时合计. */
function computedLabel(e: Entry): string | undefined {
  const expr = e.computed ?? '';
  const item = [...e.segs, 0];
  const sum = /\|\s*sum\(\s*'(\w+)'/.exec(expr);
  if (sum) return `${bare(labelAt(bidSchema, [...item, sum[1]!]) ?? sum[1]!)}合计`;
  if (/\|\s*length\s*$/.test(expr)) return '数量';
  const pluck = /\|\s*pluck\(\s*'(\w+)'/.exec(expr);
  if (pluck) return bare(labelAt(bidSchema, [...item, pluck[1]!]) ?? pluck[1]!);
  return undefined;
}

function milestoneValue(e: Entry): string {
  const get = (sub: string) => e.parts.get(sub)?.[0];
  const cases: string[] = [];
  for (let k = 0; get(`cases[${k}].within`) !== undefined; k++)
    cases.push(`${get(`cases[${k}].when`) ?? ''}${get(`cases[${k}].within`)}`);
  const from = get('from');
  const limit = cases.length ? cases.join('、') : get('within');
  const performer = get('performer');
  const fbWithin = get('fallback.within');
  return [
    limit ? `${from ? `自${from}起` : ''}${limit}` : '未写时限',
    e.flags.has('excludesTravel') ? '（不含路途时间）' : '',
    performer ? `（由${performer}）` : '',
    fbWithin
      ? `；如未能按时完成，则${fbWithin}${get('fallback.label') ?? get('fallback.kind') ?? ''}`
      : '',
  ].join('');
}

function describe(e: Entry, params: BidParams): { label: string; value: string } {
  const parts = labelParts(e.segs, params);
  const s = shape(e.segs);
  const join = (v: readonly string[]) => v.map(plain).join(' / ');
  if (e.text !== undefined) return { label: parts.join(' › '), value: e.text };
  if (e.computed) {
    const what = computedLabel(e);
    const label = what && !parts.includes(what) ? [...parts, what] : parts;
    return { label: label.join(' › '), value: join(e.parts.get('') ?? []) };
  }
  const label = parts.join(' › ');
  if (s === 'staff.roster' || s === 'training.trainers') {
    const list = valueAt(params, e.segs);
    return { label, value: `${Array.isArray(list) ? list.length : 0}人` };
  }
  if (MILESTONES.has(s)) return { label, value: milestoneValue(e) || (e.deviation ?? '') };
  const spec = ITEMS[s] ?? WHOLE[s] ?? {};
  const subs = [...new Set([...e.parts.keys(), ...e.flags])].filter((k) => k !== spec.name);
  /** The value of one field below the commitment; undefined for a yes/no field (it has none). */
  const valueOf = (k: string) => (e.parts.has(k) ? join(e.parts.get(k)!) : undefined);
  if (subs.length === 1 && subs[0] === '') return { label, value: valueOf('') ?? '是' };
  if (subs.length && subs.every((k) => /^\[\d+\]$/.test(k)))
    // A list of words (不保修情形): the words, in order.
    return { label, value: subs.map((k) => valueOf(k)!).join('；') };
  const primary = spec.primary && subs.includes(spec.primary) ? spec.primary : undefined;
  const rest = subs
    .filter((k) => k !== primary)
    .map((k) => {
      const v = valueOf(k);
      return v === undefined ? subLabel(e, k) : `${subLabel(e, k)}：${v}`;
    });
  let value = rest.join('；');
  if (primary) {
    const head = valueOf(primary) ?? subLabel(e, primary);
    value = rest.length ? `${head}（${value}）` : head;
  }
  if (!value && spec.name) {
    // Nothing but its name (a tier with no definition): the name is the value.
    return { label: parts.slice(0, -1).join(' › '), value: parts[parts.length - 1] ?? '' };
  }
  return { label, value: value || (e.deviation ?? '') };
}

// ── Output ──────────────────────────────────────────────────────────────────

/** What the checklist is about: the bid file as given, the project, the documents built. */
export interface ChecklistHead {
  readonly file: string;
  /** The company profile merged into the bid, as shown (`company.yaml`), if any. */
  readonly company?: string;
  readonly project: string;
  readonly documents: readonly string[];
}

export const UNREVIEWED = '未经条款库审核（本投标自拟）';
/** Marks a value that came from the company profile rather than the bid file. */
export const FROM_PROFILE = '取自公司资料';
const BASIC_NOTE = '基本信息（文件写明的名称、联系方式和落款，不是承诺）';

function counts(list: readonly Commitment[]) {
  const commitments = list.filter((c) => c.section === 'commitment');
  const unreviewed = commitments.filter((c) => !c.reviewed).length;
  const title = `承诺事项（共 ${commitments.length} 项${unreviewed ? `，其中 ${unreviewed} 项${UNREVIEWED.replace('（本投标自拟）', '')}` : ''}）`;
  return { commitments, basic: list.filter((c) => c.section === 'basic'), title };
}

const sourceOf = (c: Commitment) =>
  c.reviewed ? [...c.clauses, ...(c.template ? ['文档模板'] : [])].join('、') : UNREVIEWED;

const TEXT_VALUE_MAX = 120;

/** One line per commitment: `bid.yaml:LINE  label：value ｜《document》… ｜ clause@version`. */
export function checklistText(list: readonly Commitment[], head: ChecklistHead): string {
  const { commitments, basic, title } = counts(list);
  const line = (c: Commitment) => {
    const value =
      c.value.length > TEXT_VALUE_MAX ? `${c.value.slice(0, TEXT_VALUE_MAX)}…` : c.value;
    const file = c.origin === 'company' && c.file ? c.file : head.file;
    const where = c.line === null ? file : `${file}:${c.line}`;
    const docs = c.documents.map((d) => `《${d}》`).join('');
    return `${where}  ${c.label}：${value} ｜${docs}｜ ${sourceOf(c)}${c.origin === 'company' ? ` ｜ ${FROM_PROFILE}` : ''}\n`;
  };
  let out = `承诺清单：${head.project}\n投标参数文件：${head.file}（生成：${head.documents.join('、')}）\n`;
  if (head.company) out += `公司资料：${head.company}（标有“${FROM_PROFILE}”的取值来自该文件）\n`;
  out += '\n';
  out += commitments.length
    ? `${title}：\n${commitments.map(line).join('')}`
    : '承诺事项：无。文件只写下列基本信息，不作任何承诺。\n';
  if (basic.length) out += `\n${BASIC_NOTE}：\n${basic.map(line).join('')}`;
  return out;
}

const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/([\\`*_|<])/g, '\\$1');

/** The checklist as Markdown tables, for review documents and pull requests. */
export function checklistMarkdown(list: readonly Commitment[], head: ChecklistHead): string {
  const { commitments, basic, title } = counts(list);
  const table = (rows: readonly Commitment[]) =>
    `| 行 | 承诺事项 | 内容 | 写在 | 出处 |\n|---:|---|---|---|---|\n${rows
      .map(
        (c) =>
          `| ${c.origin === 'company' ? cell(`${c.file ?? ''}:${c.line ?? ''}`) : (c.line ?? '')} | ${cell(c.label)} | ${cell(c.value)} | ${cell(c.documents.join('、'))} | ${c.reviewed ? cell(sourceOf(c)) : `**${UNREVIEWED}**`}${c.origin === 'company' ? `（${FROM_PROFILE}）` : ''} |\n`,
      )
      .join('')}`;
  let out = `# 承诺清单：${cell(head.project)}\n\n投标参数文件 \`${head.file}\`；生成：${head.documents.join('、')}。${head.company ? `公司资料 \`${head.company}\`（标有“${FROM_PROFILE}”的取值来自该文件）。` : ''}\n\n`;
  out += commitments.length
    ? `## ${title}\n\n${table(commitments)}`
    : '## 承诺事项\n\n无。文件只写下列基本信息，不作任何承诺。\n';
  if (basic.length) out += `\n## ${BASIC_NOTE}\n\n${table(basic)}`;
  return out;
}
