// Everything a download will check, run on every form change in one pass: the schema, the rules
// across fields, the tender's ★ items, rendering (placeholders, consistency across documents) and
// the PDF fonts' glyphs. Fields still empty are filled with stand-ins so the rules and the preview
// run anyway; the preview marks them 【未填写：名称】 (documents still refuse to build without them).
import { z } from 'zod';
import { checkDocuments } from '../checks/consistency.js';
import { computeDeviations, type Deviation } from '../checks/deviations.js';
import { runRules } from '../checks/rules.js';
import { untracedText } from '../checks/traceability.js';
import { formatDiagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Document, HouseStyle, Node } from '../ir/types.js';
import { defaultLibrary, type Library } from '../library/library.js';
import type { LoadedYaml } from '../load/yaml-file.js';
import {
  formatPath,
  metaOf,
  parseFieldPath,
  schemaAt,
  unwrap,
  valueAt,
  zodIssuesToDiagnostics,
} from '../load/zod-issues.js';
import { renderDocument } from '../render/document.js';
import { bidSchema, documentsOf, type BidParams } from '../schema/bid.js';
import type { TenderFile } from '../schema/tender.js';
import { toHtmlFragment } from '../writers/html/index.js';
import { findMissingGlyphs } from '../writers/pdf/glyphs.js';
import { mergeCompany, type ProfileOptions } from './profile.js';

export interface FormCheck {
  /** Messages by field path (`responseTiers[0].name`); '' for the bid as a whole. */
  readonly errors: Record<string, string[]>;
  readonly warnings: Record<string, string[]>;
  readonly errorCount: number;
  readonly warningCount: number;
  /** Paths whose value is missing (a required field left empty): shown only once the user asks. */
  readonly missing: string[];
  /** The documents as they stand, stand-ins marked; empty only if nothing could be rendered. */
  readonly docs: { id: string; title: string; html: string }[];
  readonly deviations: readonly Deviation[];
  /** Values the company profile gives (`bidder.name` → its text): the form shows them as hints. */
  readonly fromProfile: Record<string, string>;
  /** The parsed bid, when it has no error at all (downloads will work). */
  readonly params?: BidParams;
}

const FORM_SOURCE: LoadedYaml = {
  file: '表单',
  sha256: '',
  data: undefined,
  locate: () => ({ file: '表单' }),
};

const MISSING = '必填，请填写';

type Path = (string | number)[];
const key = (p: readonly (string | number)[]) => formatPath(p);

function isOptional(s: z.ZodType | undefined): boolean {
  return s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault;
}

/** A value that satisfies the field at `path`, standing in for one the user has not given yet. */
function standIn(path: Path): unknown {
  const node = schemaAt(bidSchema, path);
  const s = unwrap(node);
  const meta = metaOf(node) as { valueKind?: string; allow?: string[]; label?: string };
  switch (meta.valueKind) {
    case 'duration':
      return meta.allow?.includes('negotiable')
        ? '协商确定'
        : meta.allow?.includes('lifetime')
          ? '终身'
          : '1年';
    case 'frequency':
      return '每季度';
    case 'percent':
      return '95%';
    case 'service-hours':
      return '7x24';
  }
  if (meta.label && metaOf(node).unit === '元') return 0;
  if (s instanceof z.ZodObject) return {};
  if (s instanceof z.ZodArray) return [];
  if (s instanceof z.ZodEnum) return (s.options as string[])[0];
  if (s instanceof z.ZodLiteral) return (s.values as Set<unknown>).values().next().value;
  if (s instanceof z.ZodBoolean) return false;
  if (s instanceof z.ZodNumber) return Math.max(1, s.minValue ?? 1);
  if (s instanceof z.ZodString) {
    const marker = `【未填写：${meta.label ?? String(path[path.length - 1])}】`;
    // The first stand-in the field accepts (ids, phone numbers, dates and e-mail have a format).
    const n = path.filter((x) => typeof x === 'number').join('-') || '0';
    return [
      marker,
      '【未填写】',
      `unfilled-${n}`,
      '000-0000',
      '2000-01-01',
      'unfilled@example.com',
    ].find((c) => node?.safeParse(c).success);
  }
  return undefined;
}

/** Sets (or, with undefined, removes) the value at `path`, through own properties only. */
function setAt(root: unknown, path: Path, value: unknown): void {
  const own = (o: object, k: string | number) =>
    Object.prototype.hasOwnProperty.call(o, k)
      ? (o as Record<string | number, unknown>)[k]
      : undefined;
  const define = (o: object, k: string | number, v: unknown) =>
    Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  let cur = root as object;
  for (const [i, seg] of path.slice(0, -1).entries()) {
    let next = own(cur, seg);
    if (next === null || typeof next !== 'object') {
      if (value === undefined) return; // nothing there to remove
      next = typeof path[i + 1] === 'number' ? [] : {};
      define(cur, seg, next);
    }
    cur = next as object;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
    else if (Object.prototype.hasOwnProperty.call(cur, last))
      delete (cur as Record<string | number, unknown>)[last];
  } else define(cur, last, value);
}

/**
 * The input made valid for a preview: missing required values get stand-ins (their paths listed in
 * `filled`), wrong optional values are left out, unknown keys dropped. Undefined if it cannot be.
 */
function completed(input: unknown): { params: BidParams; filled: Set<string> } | undefined {
  const data = structuredClone(input ?? {}) as unknown;
  const filled = new Set<string>();
  const tried = new Set<string>();
  for (let round = 0; round < 16; round++) {
    const r = bidSchema.safeParse(data);
    if (r.success) return { params: r.data, filled };
    // Deepest first, so removing an item never shifts the path of another issue in this round.
    const issues = [...r.error.issues].sort((a, b) => b.path.length - a.path.length);
    for (const issue of issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) setAt(data, [...path, k], undefined);
        continue;
      }
      const value = valueAt(data, path);
      if (issue.code === 'too_small' && Array.isArray(value)) {
        while (value.length < Number(issue.minimum)) {
          const p = [...path, value.length];
          value.push(standIn(p));
          filled.add(key(p));
        }
        continue;
      }
      if (issue.code === 'too_big' && Array.isArray(value)) {
        value.splice(Number(issue.maximum));
        continue;
      }
      if (!path.length) return undefined;
      const optional = isOptional(schemaAt(bidSchema, path)) && typeof path.at(-1) === 'string';
      const row = path.findLastIndex((x) => typeof x === 'number');
      if (value !== undefined && optional) setAt(data, path, undefined);
      else if (tried.has(key(path)) && row >= 0) {
        // No stand-in works here: the preview leaves this row out.
        setAt(data, path.slice(0, row + 1), undefined);
      } else {
        tried.add(key(path));
        setAt(data, path, standIn(path));
        filled.add(key(path));
      }
    }
  }
  return undefined;
}

/**
 * The data with every required section the bid leaves out (a bid file without `bidder:`) present
 * but empty, for checking only: what is missing is then reported at the section's own fields
 * (投标人 · 名称 beside its input), as the form shows them, not at the section as a whole. The
 * stored bid is never changed (a save writes only what the form changed).
 */
function withRequiredGroups(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const out = structuredClone(data);
  for (let round = 0; round < 8; round++) {
    const r = bidSchema.safeParse(out);
    if (r.success) break;
    let added = false;
    for (const issue of r.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (!path.length || valueAt(out, path) !== undefined) continue;
      const node = schemaAt(bidSchema, path);
      if (isOptional(node) || !(unwrap(node) instanceof z.ZodObject)) continue;
      setAt(out, path, {});
      added = true;
    }
    if (!added) break;
  }
  return out;
}

/** Whether `p` is `q` or lies inside it. */
const within = (p: string, q: string) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`);

/** The documents with every stand-in value shown as 【未填写：名称】. */
function markStandIns(doc: Document, filled: ReadonlySet<string>): Document {
  if (!filled.size) return doc;
  const label = (p: string) => {
    const l = metaOf(schemaAt(bidSchema, parseFieldPath(p))).label;
    return typeof l === 'string' ? l : '此项';
  };
  const walk = (n: Node): Node => {
    if (n.type === 'var') {
      const p = n.path;
      const hit = p ? [...filled].find((f) => within(p, f)) : undefined;
      return hit ? { ...n, value: `【未填写：${label(hit)}】` } : n;
    }
    const children = (n as { children?: readonly Node[] }).children;
    if (!Array.isArray(children)) return n;
    return { ...n, children: children.map(walk) } as Node;
  };
  return walk(doc) as Document;
}

export interface CheckOptions {
  /** The tender's requirements, when the bid has them: deviations are computed and checked. */
  readonly tender?: TenderFile;
  /** The clause library downloads use (the workspace's own); the built-in one when absent. */
  readonly library?: Library;
  /** The house style downloads carry (fonts for the glyph check, the preview's look). */
  readonly style?: HouseStyle;
  /** The workspace (its default company profile) and the stored bid's file (for `company:`). */
  readonly profile?: ProfileOptions;
}

/**
 * Checks a bid from the form exactly as a download will, and renders its preview. The company
 * profile is merged in first, as the build merges it; `input` itself is never changed.
 */
export function checkForm(formInput: unknown, opts: CheckOptions = {}): FormCheck {
  const company = mergeCompany(formInput, opts.profile ?? {});
  const input = withRequiredGroups(company.data);
  // Keyed by field paths from the data: no prototype (a key `constructor` is just a key).
  const errors: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const warnings: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const missing = new Set<string>();
  const add = (bag: Record<string, string[]>, path: string, msg: string) => {
    const list = (bag[path] ??= []);
    if (!list.includes(msg)) list.push(msg);
  };
  const source = { ...FORM_SOURCE, data: input };
  // The profile's own mistakes are located in company.yaml; a reference the profile cannot satisfy
  // (an unknown name in rosterFrom) stands beside its field.
  for (const d of company.problems)
    add(errors, d.path ?? '', d.path ? d.message : formatDiagnostic(d));
  const r = bidSchema.safeParse(input);
  if (!r.success) {
    for (const d of zodIssuesToDiagnostics(r.error.issues, bidSchema, source)) {
      const path = d.path ?? '';
      const v = valueAt(input, parseFieldPath(path));
      const empty = v === undefined || (typeof v === 'string' && v.trim() === '');
      if (empty && d.name !== 'UnknownField') {
        missing.add(path);
        add(errors, path, d.name === 'OutOfRange' && Array.isArray(v) ? d.message : MISSING);
      } else add(errors, path, d.message);
    }
  }
  const done = r.success ? { params: r.data, filled: new Set<string>() } : completed(input);
  const filled = done?.filled ?? new Set<string>();
  // A finding about a section that still has stand-ins may be about a stand-in: it waits.
  const section = (p: string) => /^[A-Za-z]+/.exec(p)?.[0] ?? '';
  const standInSections = new Set([...filled].map(section));
  const report = (d: Diagnostic) => {
    const path = d.path ?? '';
    if (filled.size && (standInSections.has(section(path)) || path === '')) return;
    add(d.severity === 'error' ? errors : warnings, path, d.message);
  };

  let deviations: Deviation[] = [];
  const docs: Document[] = [];
  if (done) {
    const params = done.params;
    runRules(params, source).forEach(report);
    if (opts.tender && params.tender) {
      deviations = computeDeviations(params, opts.tender);
      deviations.forEach((d, i) => {
        const at = `tender.requirements[${i}]`;
        if (d.status === 'undetermined')
          add(
            errors,
            at,
            `无法判定偏离：要求${d.required}，投标为${d.actual}（单位之间没有确定的换算）`,
          );
        else if (d.status === 'negative') {
          const what = `负偏离：要求${d.required}，投标为${d.actual}`;
          if (d.star && !d.acknowledgement)
            add(errors, at, `★ 条目${what}。请修改投标参数，或在“负偏离说明”中写明理由`);
          else add(warnings, at, d.acknowledgement ? `${what}（已说明理由）` : what);
        }
      });
    }
    let forRender: BidParams = opts.tender ? params : { ...params, tender: undefined };
    const library = opts.library ?? defaultLibrary();
    const styled = (d: Document): Document =>
      opts.style ? { ...d, meta: { ...d.meta, style: opts.style } } : d;
    for (const id of documentsOf(forRender)) {
      // A value the renderer refuses (a placeholder such as “XX”) is reported beside its field and
      // shown marked in the preview, so the other documents and the rest of this one still show.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          docs.push(styled(renderDocument(library, forRender, id, { deviations })));
          break;
        } catch (e) {
          if (!(e instanceof TenderKitError)) throw e;
          if (attempt === 0) e.diagnostics.forEach(report);
          const paths = e.diagnostics.map((d) => d.path).filter((p): p is string => Boolean(p));
          if (!paths.length) break;
          forRender = structuredClone(forRender);
          for (const p of paths) {
            setAt(forRender, parseFieldPath(p), '【待修改】');
          }
        }
      }
    }
    if (docs.length) {
      [...checkDocuments(docs, forRender), ...untracedText(docs, forRender, library)].forEach(
        report,
      );
      docs.flatMap(findMissingGlyphs).forEach(report);
    }
  }
  const count = (b: Record<string, string[]>) => Object.values(b).flat().length;
  const errorCount = count(errors);
  return {
    errors,
    warnings,
    errorCount,
    warningCount: count(warnings),
    missing: [...missing],
    docs: docs.map((d) => {
      const shown = markStandIns(d, filled);
      return { id: d.meta.id, title: d.meta.title, html: toHtmlFragment(shown) };
    }),
    deviations,
    fromProfile: Object.fromEntries(
      [...company.fromProfile].map(([p, v]) => [p, typeof v === 'string' ? v : String(v)]),
    ),
    ...(errorCount === 0 && r.success && !filled.size ? { params: r.data } : {}),
  };
}
