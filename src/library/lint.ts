// `tenderkit clauses lint`: the library's own checks, for legal and for CI.
import nunjucks from 'nunjucks';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { metaOf, schemaAt } from '../load/zod-issues.js';
import type { PreparedBid } from '../prepare.js';
import { markdownToBlocks } from '../render/markdown.js';
import { RenderScope, TemplateCodeError } from '../render/template-engine.js';
import { bidSchema, documentsOf } from '../schema/bid.js';
import type { TemplateItem } from '../schema/library.js';
import { resolveVersion, type Library, type LoadedClause } from './library.js';

const { nodes, parser } = nunjucks;
type AnyNode = nunjucks.nodes.Node;

/** Names a template may use that are not bid fields. */
const NON_BID = new Set(['loop', 'deviations', 'outputs', '__params', '__tk']);

export interface VariableUse {
  readonly path: (string | number)[];
  readonly text: string;
  readonly line: number;
  readonly col: number;
}

/**
 * Every bid field path a template reads (outputs, conditions, loops, filter arguments), with loop
 * variables replaced by the list they range over (`t.name` in `for t in responseTiers` →
 * `responseTiers[0].name`). Read from the nunjucks AST, not by pattern matching.
 */
export function variablesUsed(source: string): VariableUse[] {
  const ast = parser.parse(source, [], { lstripBlocks: true });
  const out: VariableUse[] = [];
  const chain = (n: AnyNode): { root: string; keys: (string | number)[] } | undefined => {
    if (n instanceof nodes.Symbol) return { root: n.value, keys: [] };
    if (n instanceof nodes.LookupVal) {
      const inner = chain(n.target);
      if (!inner) return undefined;
      if (
        n.val instanceof nodes.Literal &&
        (typeof n.val.value === 'string' || typeof n.val.value === 'number')
      ) {
        return { root: inner.root, keys: [...inner.keys, n.val.value] };
      }
      return { root: inner.root, keys: [...inner.keys, 0] };
    }
    return undefined;
  };
  const walk = (n: AnyNode, scope: Map<string, (string | number)[] | null>): void => {
    if (n instanceof nodes.LookupVal || n instanceof nodes.Symbol) {
      const c = chain(n);
      if (c && !NON_BID.has(c.root)) {
        const bound = scope.has(c.root) ? scope.get(c.root) : [c.root];
        if (bound) {
          const keys = c.keys.filter((k) => k !== 'length'); // `.length` on lists is fine
          out.push({
            path: [...bound, ...keys],
            text: [c.root, ...c.keys].join('.'),
            line: n.lineno,
            col: n.colno,
          });
        }
      }
      if (n instanceof nodes.LookupVal) {
        walk(n.val, scope);
        if (!(n.target instanceof nodes.Symbol || n.target instanceof nodes.LookupVal))
          walk(n.target, scope);
      }
      return;
    }
    if (n.typename === 'Is') {
      // `x is defined`: the test's name is not a variable.
      walk((n as unknown as { left: AnyNode }).left, scope);
      return;
    }
    if (n instanceof nodes.FunCall) {
      // `x | minutes`, `label('channel')`: the callee's name is not a variable, its arguments are.
      walk(n.args, scope);
      return;
    }
    if (n instanceof nodes.For) {
      walk(n.arr, scope);
      const inner = new Map(scope);
      const c = chain(n.arr);
      const listPath =
        c && !NON_BID.has(c.root)
          ? [...(scope.has(c.root) ? (scope.get(c.root) ?? []) : [c.root]), ...c.keys, 0]
          : null;
      if (n.name instanceof nodes.Symbol)
        inner.set(n.name.value, c && scope.get(c.root) !== null ? listPath : null);
      walk(n.body, inner);
      if (n.else_) walk(n.else_, scope);
      return;
    }
    if (n.typename === 'Set') {
      for (const t of (n.targets as AnyNode[]) ?? [])
        if (t instanceof nodes.Symbol) scope.set(t.value, null);
    }
    for (const f of n.fields) {
      const v = n[f];
      if (Array.isArray(v)) v.forEach((x) => x instanceof nodes.Node && walk(x, scope));
      else if (v instanceof nodes.Node) walk(v, scope);
    }
  };
  walk(ast, new Map());
  return out;
}

/**
 * A bid field, or a part of a value that has its own shape (a duration's `kind`, `text`…): the
 * schema marks those with `valueKind`.
 */
function fieldKnown(path: (string | number)[]): boolean {
  for (let n = path.length; n > 0; n--) {
    const node = schemaAt(bidSchema, path.slice(0, n));
    if (node === undefined) continue;
    if (n === path.length) return true;
    return metaOf(node).valueKind !== undefined;
  }
  return false;
}

// A number (arabic, Chinese or financial numerals) followed by a unit of time, count or share, or
// a service-hours formula such as 7×24: in clause text these are promises that must come from the bid.
const HARD_CODED =
  /(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百半壹贰叁肆伍陆柒捌玖拾佰]+)\s*(?:分钟|个?小时|个?工作日|个?星期|个?月|天|日|周|年|次|名|人|%|％)|7\s*[×xX*]\s*24/gu;

/** Literal numbers with units in a clause body's text (outside `{{ }}`, `{% %}` and `{# #}`). */
export function hardCodedCommitments(body: string): { text: string; line: number; col: number }[] {
  const blanked = body.replace(/\{\{[^]*?\}\}|\{%[^]*?%\}|\{#[^]*?#\}/g, (m) =>
    m.replace(/[^\n]/g, ' '),
  );
  const out: { text: string; line: number; col: number }[] = [];
  const lines = blanked.split('\n');
  lines.forEach((l, line) => {
    for (const m of l.matchAll(HARD_CODED)) out.push({ text: m[0], line, col: m.index ?? 0 });
  });
  return out;
}

export interface LintOptions {
  /** `YYYY-MM-DD`: review-by dates before it are overdue. */
  readonly today: string;
  /** Bids to render every approved version against (the shipped examples). */
  readonly bids: readonly { name: string; bid: PreparedBid }[];
}

function bodyLocation(c: LoadedClause, index: number, line = 0, col = 0) {
  const at = c.source.locate(['versions', index, 'body']);
  // The block scalar's text starts on the line after `body: |`, indented two more than the key.
  return at.line === undefined
    ? at
    : { file: at.file, line: at.line + 1 + line, col: (at.col ?? 1) + 2 + col };
}

export function lintLibrary(lib: Library, opts: LintOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const c of lib.clauses.values()) {
    c.clause.versions.forEach((v, i) => {
      const where = `条款 ${c.clause.id} 第 ${v.version} 版`;
      let uses: VariableUse[];
      try {
        uses = variablesUsed(v.body);
      } catch (e) {
        out.push(
          diagnostic(
            'ClauseRenderFailed',
            `${where}无法解析：${(e as Error).message.split('\n')[0]}`,
            { location: bodyLocation(c, i) },
          ),
        );
        return;
      }
      // Retired versions are history: they were written against older bid schemas.
      if (v.status === 'retired') return;
      for (const u of uses) {
        if (!fieldKnown(u.path)) {
          out.push(
            diagnostic('ClauseRenderFailed', `${where}引用了投标参数中不存在的字段“${u.text}”`, {
              location: bodyLocation(c, i, u.line, u.col),
            }),
          );
        }
      }
      for (const h of hardCodedCommitments(v.body)) {
        out.push(
          diagnostic(
            'HardCodedValue',
            `${where}写死了“${h.text}”：承诺中的时限、期限、次数和人数必须来自投标参数`,
            { location: bodyLocation(c, i, h.line, h.col), severity: 'error' },
          ),
        );
      }
      if (v.reviewBy && v.reviewBy < opts.today) {
        out.push(
          diagnostic('ClauseReviewDue', `${where}的复审日期 ${v.reviewBy} 已过`, {
            location: c.source.locate(['versions', i, 'reviewBy']),
            severity: 'warning',
          }),
        );
      }
      if (v.status !== 'approved') return;
      const compiled = c.compiled.get(v.version);
      if (!compiled) return;
      for (const { name, bid } of opts.bids) {
        try {
          markdownToBlocks(
            compiled.render(
              new RenderScope({
                ...(bid.params as unknown as Record<string, unknown>),
                deviations: bid.deviations,
                outputs: documentsOf(bid.params),
              }),
            ),
          );
        } catch (e) {
          if (!(e instanceof TemplateCodeError)) throw e;
          out.push(
            diagnostic('ClauseRenderFailed', `${where}用示例 ${name} 渲染失败：${e.message}`, {
              location: bodyLocation(c, i, (e.line ?? 1) - 1),
            }),
          );
        }
      }
    });
  }
  for (const t of lib.templates.values()) {
    const walk = (items: readonly TemplateItem[], at: (string | number)[]) =>
      items.forEach((item, i) => {
        if ('items' in item) walk(item.items, [...at, i, 'items']);
        if (!('clause' in item)) return;
        const c = lib.clauses.get(item.clause);
        const loc = { location: t.source.locate([...at, i, 'clause']) };
        if (!c)
          out.push(
            diagnostic(
              'ClauseNotFound',
              `模板 ${t.template.id} 引用了不存在的条款“${item.clause}”`,
              loc,
            ),
          );
        else if (!resolveVersion(c).ok || c.clause.versions.every((v) => v.status === 'retired')) {
          out.push(
            diagnostic(
              'ClauseVersionRetired',
              `模板 ${t.template.id} 引用的条款“${item.clause}”没有可用的已批准版本（已停用或尚未批准）`,
              loc,
            ),
          );
        }
      });
    walk(t.template.items, ['items']);
  }
  return out;
}
