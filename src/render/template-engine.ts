// Compiles trusted clause/template text with nunjucks so that every `{{ … }}` output becomes an
// opaque slot: a private-use marker in the text plus a record of the value and the bid field it
// came from. User values therefore never pass through the template engine or the Markdown parser.
import { createHash } from 'node:crypto';
import nunjucks from 'nunjucks';
import type { JsonValue } from '../ir/types.js';
import {
  cnDate,
  cnLower,
  cnUpper,
  hoursText,
  minutesText,
  rmbFigures,
  rmbUpper,
} from '../format/cn-number.js';
import { cacheGet, cachePut } from '../library/cache.js';
import * as labels from '../schema/labels.js';
import {
  withinText,
  type Duration,
  type Frequency,
  type ServiceHours,
} from '../schema/duration.js';

const { nodes, parser, compiler } = nunjucks;

export const SLOT_OPEN = '\uE000';
export const SLOT_CLOSE = '\uE001';
export const SLOT_RE = /\uE000(\d+)\uE001/g;
/** Slot markers and the rest of the private-use area: never allowed in template source. */
const PRIVATE_USE = /[\uE000-\uF8FF]/;

export interface Slot {
  readonly path: string | null;
  /** Computed inside a loop, so the same expression may show different values. */
  readonly local: boolean;
  readonly expr: string;
  readonly raw: JsonValue;
  readonly value: string;
}

/** A problem in trusted template code (a bug in a clause or template, not in the bid). */
export class TemplateCodeError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(message);
    this.name = 'TemplateCodeError';
  }
}

export interface Rendered {
  /** Template output with slot markers. */
  readonly text: string;
  readonly slots: readonly Slot[];
}

export interface CompiledTemplate {
  render(scope: RenderScope): Rendered;
}

/** The params for one render, with every object and array mapped to its field path. */
export class RenderScope {
  readonly paths = new WeakMap<object, string>();
  constructor(readonly params: Record<string, unknown>) {
    this.index(params, '');
  }
  private index(v: unknown, path: string): void {
    if (v === null || typeof v !== 'object') return;
    this.paths.set(v, path);
    if (Array.isArray(v)) v.forEach((x, i) => this.index(x, `${path}[${i}]`));
    else for (const [k, x] of Object.entries(v)) this.index(x, path ? `${path}.${k}` : k);
  }
}

type EnumGroup = keyof typeof ENUMS;
const ENUMS = {
  document: labels.documentLabels,
  warrantyStart: labels.warrantyStartLabels,
  channel: labels.channelLabels,
  milestone: labels.milestoneLabels,
  clockFrom: labels.clockFromLabels,
  freeService: labels.freeServiceLabels,
  pricing: labels.pricingLabels,
  exclusion: labels.exclusionLabels,
  method: labels.trainingMethodLabels,
  material: labels.materialLabels,
} as const;

/** An interval in months as Chinese usage writes it: 每月, 每季度, 每半年, 每年, 每2个月. */
export function everyMonths(n: number): string {
  return (
    ({ 1: '每月', 3: '每季度', 6: '每半年', 12: '每年' } as Record<number, string>)[n] ??
    `每${n}个月`
  );
}

function isDuration(v: unknown): v is Duration {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as { kind?: unknown }).kind === 'string' &&
    typeof (v as { text?: unknown }).text === 'string'
  );
}

function needDuration(v: unknown, filter: string): Duration {
  if (!isDuration(v)) throw new TemplateCodeError(`${filter} filter: the value is not a duration`);
  return v;
}

/**
 * A period in the formal style: 60个月 → 伍年（60个月）, 18个月 → 壹拾捌个月（18个月）, 3年 → 叁年,
 * 终身 → 终身; other units and fractions as written.
 */
export function periodFormal(d: Duration): string {
  if (d.kind === 'lifetime') return '终身';
  if (d.kind !== 'amount' || !Number.isInteger(d.amount)) return d.text;
  if (d.unit === 'month')
    return d.amount % 12 === 0
      ? `${cnUpper(d.amount / 12)}年（${d.amount}个月）`
      : `${cnUpper(d.amount)}个月（${d.amount}个月）`;
  if (d.unit === 'year') return `${cnUpper(d.amount)}年`;
  return d.text;
}

function enumLabel(value: unknown, group: EnumGroup): string {
  const table = ENUMS[group] as Record<string, string> | undefined;
  if (!table) throw new TemplateCodeError(`label filter: unknown group "${group}"`);
  const out = table[String(value)];
  if (out === undefined)
    throw new TemplateCodeError(
      `label filter: "${String(value)}" has no label in group "${group}"`,
    );
  return out;
}

function createEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(null, {
    autoescape: false,
    throwOnUndefined: false,
    // trimBlocks would also eat the newline after `text{% endif %}`; see standaloneTagLines().
    trimBlocks: false,
    lstripBlocks: true,
  });
  const num = (f: (n: number) => string) => (v: unknown) => f(Number(v));
  env.addFilter('cnUpper', num(cnUpper));
  env.addFilter('cnLower', num(cnLower));
  env.addFilter('rmb', num(rmbUpper));
  env.addFilter('rmbFigures', num(rmbFigures));
  env.addFilter('cnDate', (v: unknown) => cnDate(String(v)));
  env.addFilter('period', (v: unknown) => periodFormal(needDuration(v, 'period')));
  env.addFilter('dur', (v: unknown) => needDuration(v, 'dur').text);
  env.addFilter('within', (v: unknown) => withinText(needDuration(v, 'within')));
  /** A period something lasts: 3年内, 终身. */
  env.addFilter('during', (v: unknown) => {
    const d = needDuration(v, 'during');
    return d.kind === 'lifetime' ? '终身' : `${d.text}内`;
  });
  /** `list | except(['onsite'])`: the items not in the given list (`none` also drops missing ones). */
  env.addFilter('except', (v: unknown, out: unknown) =>
    Array.isArray(v) && Array.isArray(out)
      ? v.filter((x) => !out.includes(x) && !(x === undefined && out.includes(null)))
      : v,
  );
  env.addFilter('freq', (v: unknown) => (v as Frequency).text);
  env.addFilter('svcHours', (v: unknown) => (v as ServiceHours).text);
  env.addFilter('pct', (v: unknown) => `${Number(v)}%`);
  env.addFilter('minutes', num(minutesText));
  env.addFilter('hours', num(hoursText));
  env.addFilter('label', enumLabel);
  env.addFilter('everyMonths', num(everyMonths));
  env.addFilter('labels', (v: unknown, group: EnumGroup) =>
    Array.isArray(v) ? v.map((x) => enumLabel(x, group)) : [],
  );
  env.addFilter('pluck', (v: unknown, key: string) =>
    Array.isArray(v) ? v.map((x) => (x as Record<string, unknown>)[key]) : [],
  );
  /** `list | unique`: each value once, in first-seen order. */
  env.addFilter('unique', (v: unknown) => (Array.isArray(v) ? [...new Set(v)] : v));
  /** `list | allHave('hours')`: a non-empty list whose every item has the attribute set. */
  env.addFilter(
    'allHave',
    (v: unknown, key: string) =>
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((x) => (x as Record<string, unknown>)[key] !== undefined),
  );
  /** `list | where('status', 'positive')`: items whose attribute equals the value. */
  env.addFilter('where', (v: unknown, key: string, value: unknown) =>
    Array.isArray(v) ? v.filter((x) => (x as Record<string, unknown>)[key] === value) : [],
  );
  /** `ids | lookupNames(list)`: ids → the `name` of the matching `id` in list. */
  env.addFilter('lookupNames', (ids: unknown, list: unknown) => {
    const items = Array.isArray(list)
      ? (list as { id: string; name?: string; title?: string }[])
      : [];
    return (Array.isArray(ids) ? ids : [ids]).map((id) => {
      const hit = items.find((x) => x.id === id);
      if (!hit) throw new TemplateCodeError(`lookupNames: no item with id "${String(id)}"`);
      return hit.name ?? hit.title ?? String(id);
    });
  });
  return env;
}

const env = createEnvironment();

/** The private render state reached from compiled code through the `__out` global's `this`. */
interface RenderState {
  scope: RenderScope;
  slots: Slot[];
  exprs: readonly { text: string; local: boolean }[];
}

env.addGlobal(
  '__out',
  function (
    this: { ctx: { __tk: RenderState } },
    value: unknown,
    parent: unknown,
    key: unknown,
    exprIndex: number,
  ) {
    const st = this.ctx.__tk;
    const { text: expr, local } = st.exprs[exprIndex] ?? { text: '?', local: false };
    if (value === undefined || value === null) {
      throw new TemplateCodeError(
        `表达式 {{ ${expr} }} 没有取值（字段未填写时请用 {% if %} 判断）`,
      );
    }
    let path: string | null = null;
    let raw: JsonValue = null;
    if (
      parent !== null &&
      typeof parent === 'object' &&
      (typeof key === 'string' || typeof key === 'number')
    ) {
      const base = st.scope.paths.get(parent);
      if (base !== undefined) {
        path =
          typeof key === 'number' || Array.isArray(parent)
            ? `${base}[${key}]`
            : base
              ? `${base}.${key}`
              : key;
        raw = ((parent as Record<string | number, unknown>)[key] ?? null) as JsonValue;
      }
    }
    const text = Array.isArray(value) ? value.map(String).join('、') : String(value);
    if (typeof value === 'object' && !Array.isArray(value)) {
      throw new TemplateCodeError(`表达式 {{ ${expr} }} 的值是一个字段组，不能直接输出`);
    }
    st.slots.push({ path, local: path === null && local, expr, raw, value: text });
    return `${SLOT_OPEN}${st.slots.length - 1}${SLOT_CLOSE}`;
  },
);

type AnyNode = nunjucks.nodes.Node;

/** Filters that only change how a value is written; the output still stands for the field. */
const FORMAT_FILTERS = new Set([
  'cnUpper',
  'cnLower',
  'rmb',
  'rmbFigures',
  'cnDate',
  'period',
  'minutes',
  'hours',
  'label',
  'labels',
  'join',
  'lookupNames',
  'everyMonths',
  'dur',
  'within',
  'during',
  'freq',
  'svcHours',
  'pct',
]);

/** Lines (0-based) that hold nothing but `{% … %}` tags and `{# … #}` comments. */
function standaloneTagLines(lines: readonly string[]): Set<number> {
  const out = new Set<number>();
  lines.forEach((l, i) => {
    // A tag may not run past its own `%}`: `{% if a %}text{% endif %}` holds text, so it is no
    // tag-only line.
    if (/^[ \t]*(?:(?:\{%(?:(?!%\}).)*%\}|\{#(?:(?!#\}).)*#\})[ \t]*)+$/.test(l)) out.add(i);
  });
  return out;
}

/** Rewrites `{{ e }}` into `{{ __out(e, parentOf(e), keyOf(e), i) }}` throughout the AST. */
function instrument(root: AnyNode, source: string): { text: string; local: boolean }[] {
  const exprs: { text: string; local: boolean }[] = [];
  const lines = source.split('\n');
  const standalone = standaloneTagLines(lines);
  const exprText = (n: AnyNode) => {
    const line = lines[n.lineno] ?? '';
    const open = line.lastIndexOf('{{', n.colno);
    const close = line.indexOf('}}', n.colno);
    return open >= 0 && close > open ? line.slice(open + 2, close).trim() : `line ${n.lineno + 1}`;
  };
  const walk = (n: AnyNode, loops: nunjucks.nodes.For[]): void => {
    if (n instanceof nodes.Output) {
      n.children = n.children.map((c) => {
        if (!(c instanceof nodes.TemplateData)) return wrap(c, loops);
        // Text that follows a line holding only block tags starts with that line's newline: drop it.
        if (standalone.has(c.lineno)) c.value = c.value.replace(/^[ \t]*\n/, '');
        return c;
      });
      return;
    }
    const inner = n instanceof nodes.For ? [...loops, n] : loops;
    for (const f of n.fields) {
      const v = n[f];
      if (Array.isArray(v)) v.forEach((x) => x instanceof nodes.Node && walk(x, inner));
      else if (v instanceof nodes.Node)
        walk(v, n instanceof nodes.For && f === 'arr' ? loops : inner);
    }
  };
  const wrap = (c: AnyNode, loops: nunjucks.nodes.For[]): AnyNode => {
    const { lineno: l, colno: k } = c;
    let base: AnyNode = c;
    let derived = false;
    while (base instanceof nodes.Filter) {
      const name = base.name instanceof nodes.Symbol ? base.name.value : '';
      if (!FORMAT_FILTERS.has(name)) derived = true;
      base = base.args.children[0] ?? base;
    }
    let parent: AnyNode = new nodes.Literal(l, k, null);
    let key: AnyNode = new nodes.Literal(l, k, null);
    if (derived) {
      // An aggregate (sum, length, …) is a new value: it keeps no field path.
    } else if (base instanceof nodes.LookupVal) {
      parent = base.target;
      key = base.val;
    } else if (base instanceof nodes.Symbol) {
      const loop = loops[loops.length - 1];
      if (loop && loop.name instanceof nodes.Symbol && loop.name.value === base.value) {
        parent = loop.arr;
        key = new nodes.LookupVal(
          l,
          k,
          new nodes.Symbol(l, k, 'loop'),
          new nodes.Literal(l, k, 'index0'),
        );
      } else if (
        !loops.some((f) => f.name instanceof nodes.Symbol && f.name.value === base.value)
      ) {
        parent = new nodes.Symbol(l, k, '__params');
        key = new nodes.Literal(l, k, base.value);
      }
    }
    exprs.push({ text: exprText(c), local: loops.length > 0 });
    const args = new nodes.NodeList(l, k, [
      c,
      parent,
      key,
      new nodes.Literal(l, k, exprs.length - 1),
    ]);
    return new nodes.FunCall(l, k, new nodes.Symbol(l, k, '__out'), args);
  };
  walk(root, []);
  return exprs;
}

function parsePosition(e: unknown): { line?: number; col?: number } {
  const { lineno, colno } = e as { lineno?: unknown; colno?: unknown };
  if (typeof lineno === 'number' && typeof colno === 'number') return { line: lineno, col: colno };
  const m = /\[Line (\d+), Column (\d+)\]/.exec(String((e as Error).message));
  return m ? { line: Number(m[1]), col: Number(m[2]) } : {};
}

function cleanMessage(e: unknown): string {
  return String((e as Error).message)
    .replace(/^\(unknown path\)\s*/, '')
    .replace(/\[Line \d+, Column \d+\]\s*/, '')
    .replace(/^\s*Error: /, '')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
}

/**
 * A template compiled to JavaScript source, not yet loaded: what the library's disk cache keeps
 * (src/library/cache.ts). `exprs` are the `{{ … }}` texts, indexed by the slot calls in `code`.
 */
export interface PrecompiledTemplate {
  readonly code: string;
  readonly exprs: readonly { readonly text: string; readonly local: boolean }[];
}

/** Compiles trusted template source to JavaScript source. Never call this with user input. */
export function precompileTemplate(source: string, name: string): PrecompiledTemplate {
  if (PRIVATE_USE.test(source)) throw new TemplateCodeError('模板正文不得包含私用区字符');
  try {
    const ast = parser.parse(source, [], { trimBlocks: false, lstripBlocks: true });
    const exprs = instrument(ast, source);
    const c = new compiler.Compiler(name, false);
    c.compile(ast);
    return { code: c.getCode(), exprs };
  } catch (e) {
    const p = parsePosition(e);
    throw new TemplateCodeError(cleanMessage(e), p.line, p.col);
  }
}

/**
 * Loads precompiled code. The code must come from `precompileTemplate` over trusted source (here
 * or, through the cache, in an earlier run): it runs with the process's rights.
 */
export function instantiateTemplate(pre: PrecompiledTemplate, name: string): CompiledTemplate {
  let tmpl: nunjucks.Template;
  try {
    // This is how nunjucks itself loads precompiled templates.
    const obj = new Function(pre.code)() as object;
    tmpl = new nunjucks.Template({ type: 'code', obj } as unknown as string, env, name, true);
  } catch (e) {
    const p = parsePosition(e);
    throw new TemplateCodeError(cleanMessage(e), p.line, p.col);
  }
  const { exprs } = pre;
  return {
    render(scope) {
      const state: RenderState = { scope, slots: [], exprs };
      let text: string;
      try {
        text = tmpl.render({ ...scope.params, __params: scope.params, __tk: state });
      } catch (e) {
        const inner = (e as { cause?: unknown }).cause;
        if (inner instanceof TemplateCodeError) throw inner;
        const p = parsePosition(e);
        throw new TemplateCodeError(cleanMessage(e), p.line, p.col);
      }
      return { text, slots: state.slots };
    },
  };
}

/** Compiles trusted template source. Never call this with user input. */
export function compileTemplate(source: string, name: string): CompiledTemplate {
  // Text without `{` holds no tag and renders as itself (most template titles and paragraphs);
  // a stray `#}` is the one thing nunjucks refuses there.
  if (!source.includes('{') && !source.includes('#}') && !PRIVATE_USE.test(source)) {
    return { render: () => ({ text: source, slots: [] }) };
  }
  return instantiateTemplate(precompileTemplate(source, name), name);
}

const literalsCache = new Map<string, readonly string[] | null>();
/**
 * The literal pieces of trusted template source as nunjucks parses them (its TemplateData nodes,
 * in tree order), or undefined when the source does not parse. The traceability check holds every
 * rendered word against these; like the compiled code they are kept in the disk cache.
 */
export function templateLiterals(source: string): readonly string[] | undefined {
  let out = literalsCache.get(source);
  if (out === undefined) {
    const sha256 = createHash('sha256').update(source).digest('hex');
    const hit = cacheGet('template-literals', sha256) as { pieces?: unknown } | undefined;
    if (hit && (hit.pieces === null || Array.isArray(hit.pieces)))
      out = hit.pieces as readonly string[] | null;
    else {
      out = parseLiterals(source);
      cachePut('template-literals', sha256, { pieces: out });
    }
    literalsCache.set(source, out);
  }
  return out ?? undefined;
}

function parseLiterals(source: string): string[] | null {
  let ast: AnyNode;
  try {
    ast = parser.parse(source, [], { trimBlocks: false, lstripBlocks: true });
  } catch {
    return null;
  }
  const out: string[] = [];
  const walk = (n: AnyNode) => {
    if (n instanceof nodes.TemplateData) out.push(n.value);
    for (const f of n.fields) {
      const v = n[f];
      if (Array.isArray(v)) for (const x of v) if (x instanceof nodes.Node) walk(x);
      if (v instanceof nodes.Node) walk(v);
    }
  };
  walk(ast);
  return out;
}
