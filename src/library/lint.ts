// `tenderkit clauses lint`: the library's own checks, for legal and for CI.
import { bodyStart } from './governance.js';
import nunjucks from 'nunjucks';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { metaOf, schemaAt } from '../load/zod-issues.js';
import type { PreparedBid } from '../prepare.js';
import { markdownToBlocks } from '../render/markdown.js';
import {
  compileTemplate,
  RenderScope,
  TemplateCodeError,
  type CompiledTemplate,
} from '../render/template-engine.js';
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
          // Located at the expression's first name (`staff` in `staff.headcount`).
          let root: AnyNode = n;
          while (root instanceof nodes.LookupVal) root = root.target;
          out.push({
            path: [...bound, ...keys],
            text: [c.root, ...c.keys].join('.'),
            line: root.lineno,
            col: root.colno,
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

/** A problem in a clause body, at a 0-based line and column of the body text. */
export interface BodyFinding {
  readonly name: 'ClauseRenderFailed' | 'HardCodedValue';
  readonly message: string;
  readonly line: number;
  readonly col: number;
}

/**
 * The checks one body must pass to be used (or approved): it parses, reads only bid fields,
 * writes no number with a unit, and (with `render`) renders against every given bid as the
 * Markdown subset. `where` starts each message (`条款 x 第 2 版`).
 */
export function checkBody(
  body: string,
  where: string,
  opts: {
    readonly bids: LintOptions['bids'];
    readonly render: boolean;
    /** Only check that it parses (retired versions: history written for older bid schemas). */
    readonly parseOnly?: boolean;
    readonly compiled?: CompiledTemplate;
  },
): BodyFinding[] {
  const out: BodyFinding[] = [];
  let uses: VariableUse[];
  try {
    uses = variablesUsed(body);
  } catch (e) {
    const p = e as { lineno?: number; colno?: number; message: string };
    return [
      {
        name: 'ClauseRenderFailed',
        message: `${where}无法解析：${p.message
          .split('\n')[0]!
          .replace(/^\(unknown path\)\s*/, '')
          .replace(/\s*\[Line \d+, Column \d+\]\s*/, ' ')
          .trim()}`,
        line: Math.max(0, (p.lineno ?? 1) - 1),
        col: Math.max(0, (p.colno ?? 1) - 1),
      },
    ];
  }
  if (opts.parseOnly) return out;
  for (const u of uses) {
    if (!fieldKnown(u.path)) {
      out.push({
        name: 'ClauseRenderFailed',
        message: `${where}引用了投标参数中不存在的字段“${u.text}”`,
        line: u.line,
        col: u.col,
      });
    }
  }
  for (const h of hardCodedCommitments(body)) {
    out.push({
      name: 'HardCodedValue',
      message: `${where}写死了“${h.text}”：承诺中的时限、期限、次数和人数必须来自投标参数`,
      line: h.line,
      col: h.col,
    });
  }
  // A body that reads a field the bid cannot have fails to render for that reason: said once.
  if (!opts.render || out.some((f) => f.name === 'ClauseRenderFailed')) return out;
  let compiled = opts.compiled;
  if (!compiled) {
    try {
      compiled = compileTemplate(body, where);
    } catch (e) {
      if (!(e instanceof TemplateCodeError)) throw e;
      out.push({
        name: 'ClauseRenderFailed',
        message: `${where}：${plain(e.message)}`,
        line: Math.max(0, (e.line ?? 1) - 1),
        col: Math.max(0, (e.col ?? 1) - 1),
      });
      return out;
    }
  }
  // The same failure with several examples is reported once, naming them all.
  const failures = new Map<string, { names: string[]; line: number; col: number }>();
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
      const message = plain(e.message);
      const f = failures.get(message) ?? { names: [], ...failurePosition(body, e, message) };
      f.names.push(name);
      failures.set(message, f);
    }
  }
  for (const [message, f] of failures)
    out.push({
      name: 'ClauseRenderFailed',
      message: `${where}用示例 ${f.names.join('、')} 渲染失败：${message}`,
      line: f.line,
      col: f.col,
    });
  return out;
}

/**
 * Where a render failure happened: the expression the message quotes (`表达式 {{ x.y }} 没有取值`)
 * where it stands in the body, else the line nunjucks reports, else the body's start.
 */
function failurePosition(
  body: string,
  e: TemplateCodeError,
  message: string,
): { line: number; col: number } {
  const quoted = /\{\{[^}]*\}\}/.exec(message)?.[0];
  const at = quoted ? body.indexOf(quoted) : -1;
  if (at === -1) return { line: Math.max(0, (e.line ?? 1) - 1), col: 0 };
  const before = body.slice(0, at).split('\n');
  return { line: before.length - 1, col: before[before.length - 1]!.length };
}

/** A template error's message without the template name and error class nunjucks puts first. */
function plain(message: string): string {
  return message.replace(/^\([^)]*\)\s*/, '').replace(/^(?:TemplateCodeError|Error):\s*/, '');
}

/**
 * Where a line and column of a version's body stand in the clause file: a block scalar's text
 * starts on the line after `body: |`, indented two more than the `body` key; a one-line body sits
 * on the key's own line.
 */
export function bodyLocation(c: LoadedClause, index: number, line = 0, col = 0) {
  const value = c.source.locate(['versions', index, 'body']);
  const start = bodyStart(c.source, index, c.clause.versions[index]?.body ?? '');
  if (start.line === undefined) return value;
  // A block scalar's lines are the body's lines; a quoted or plain scalar starts at its value and
  // may fold lines, so only its first line's column can be told.
  if (start.line !== value.line)
    return { ...start, line: start.line + line, col: (start.col ?? 1) + col };
  return line ? value : { ...value, col: (value.col ?? 1) + col };
}

export function lintLibrary(lib: Library, opts: LintOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const c of lib.clauses.values()) {
    c.clause.versions.forEach((v, i) => {
      const where = `条款 ${c.clause.id} 第 ${v.version} 版`;
      // Retired versions are history: they were written against older bid schemas; they must
      // still parse.
      const findings = checkBody(v.body, where, {
        bids: opts.bids,
        parseOnly: v.status === 'retired',
        render: v.status === 'approved' && c.compiled.has(v.version),
        compiled: c.compiled.get(v.version),
      });
      for (const f of findings)
        out.push(
          diagnostic(f.name, f.message, {
            location: bodyLocation(c, i, f.line, f.col),
            severity: 'error',
          }),
        );
      if (v.status === 'retired') return;
      if (v.reviewBy && v.reviewBy < opts.today) {
        out.push(
          diagnostic('ClauseReviewDue', `${where}的复审日期 ${v.reviewBy} 已过`, {
            location: c.source.locate(['versions', i, 'reviewBy']),
            severity: 'warning',
          }),
        );
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
