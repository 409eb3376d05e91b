// Every text in a rendered document must trace to a selected clause version, a document-template
// item, or the bid: anything else is an `UntracedText` error. The IR carries the provenance —
// `clause` nodes (library `id@version`, or `origin` for the bid's own extra commitments), `source`
// on blocks a template item produced, `path` on values from the bid — and this check holds each
// literal text against the source it claims: a clause body, a template string, an extra commitment.
import nunjucks from 'nunjucks';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type {
  Block,
  Clause,
  ClauseContent,
  Document,
  Heading,
  Node,
  SignatureLine,
} from '../ir/types.js';
import type { Library, LoadedTemplate } from '../library/library.js';
import { parseFieldPath, valueAt } from '../load/zod-issues.js';
import { bidSchema, type BidParams, type DocumentId } from '../schema/bid.js';
import type { TemplateItem } from '../schema/library.js';
import { templateLiterals } from '../render/template-engine.js';

type AstNode = nunjucks.nodes.Node;

/** Whitespace is layout (soft breaks, indentation, whitespace control), never wording. */
const squeeze = (s: string) => s.replace(/\s+/g, '');
/** Markdown backslash escapes (`\*`, `\|`) print as the character alone. */
const unescape = (s: string) => s.replace(/\\([!-/:-@[-`{-~])/g, '$1');

function parseTemplate(src: string): AstNode | undefined {
  try {
    return nunjucks.parser.parse(src, [], { trimBlocks: false, lstripBlocks: true });
  } catch {
    return undefined; // a template that does not parse never rendered anything
  }
}

function children(n: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const f of n.fields) {
    const v = n[f];
    if (Array.isArray(v)) for (const x of v) if (x instanceof nunjucks.nodes.Node) out.push(x);
    if (v instanceof nunjucks.nodes.Node) out.push(v);
  }
  return out;
}

const fragmentCache = new Map<string, readonly string[]>();

/**
 * The literal pieces of a template (nunjucks' TemplateData, between `{{ }}` / `{% %}` tags) as a
 * reader would see them: whitespace and Markdown escapes removed. Rendering only ever prints whole
 * pieces, in any order and number that conditions and loops decide.
 */
export function literalFragments(src: string): readonly string[] {
  let out = fragmentCache.get(src);
  if (out) return out;
  const found = new Set<string>();
  // Parsed once and kept in the disk cache (render/template-engine.ts).
  const pieces = templateLiterals(src);
  if (pieces)
    for (const p of pieces) {
      const f = squeeze(unescape(p));
      if (f) found.add(f);
    }
  else found.add(squeeze(unescape(src)));
  out = [...found];
  fragmentCache.set(src, out);
  return out;
}

/**
 * Whether `text` (one IR text node) can be what a template printed from these pieces: a part of one
 * piece, or the end of one piece, then whole pieces, then the start of one. Markdown splits text
 * nodes at every block and bold boundary, so a text node starts and ends anywhere inside a piece.
 */
export function composedOf(text: string, fragments: readonly string[]): boolean {
  const t = squeeze(text);
  if (!t) return true;
  if (fragments.some((f) => f.includes(t))) return true;
  // reach[i]: t[0, i) is printed by pieces that ended exactly at a piece boundary.
  const reach = new Array<boolean>(t.length + 1).fill(false);
  for (const f of fragments) {
    const last = f[f.length - 1];
    for (let k = Math.min(f.length, t.length); k > 0; k--)
      if (t[k - 1] === last && f.endsWith(t.slice(0, k))) reach[k] = true;
  }
  for (let i = 1; i <= t.length; i++) {
    if (!reach[i]) continue;
    if (i === t.length) return true;
    const rest = t.slice(i);
    for (const f of fragments) {
      if (rest.startsWith(f)) reach[i + f.length] = true;
      else if (f.startsWith(rest)) return true;
    }
  }
  return false;
}

const labelCache = new Map<string, RegExp>();

/**
 * A signature label is plain text in the IR (its values are merged in), so it is matched against
 * its template as a pattern: top-level literal pieces in order, anything where the template prints
 * a value or branches.
 */
function labelPattern(src: string): RegExp {
  let re = labelCache.get(src);
  if (re) return re;
  const ast = parseTemplate(src);
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let body = '';
  for (const n of ast ? children(ast) : []) {
    if (n instanceof nunjucks.nodes.Output) {
      for (const c of n.children)
        body += c instanceof nunjucks.nodes.TemplateData ? esc(squeeze(unescape(c.value))) : '[^]*';
    } else body += '[^]*';
  }
  re = new RegExp(`^${ast ? body : esc(squeeze(src))}$`);
  labelCache.set(src, re);
  return re;
}

/** Every literal text inside some inline content (text nodes, and revisions, which are text too). */
function texts(node: Node, out: string[] = []): string[] {
  if (node.type === 'text' || node.type === 'revision') out.push(node.value);
  else if (node.type === 'table')
    for (const r of [...node.head, ...node.body]) for (const c of r.children) texts(c, out);
  else if ('children' in node) for (const c of node.children as readonly Node[]) texts(c, out);
  return out;
}

function vars(node: Node, out: Extract<Node, { type: 'var' }>[] = []) {
  if (node.type === 'var') out.push(node);
  else if (node.type === 'table')
    for (const r of [...node.head, ...node.body]) for (const c of r.children) vars(c, out);
  else if ('children' in node) for (const c of node.children as readonly Node[]) vars(c, out);
  return out;
}

/** The template item at a `source` path such as `items[4].items[0]`. */
function itemAt(tpl: LoadedTemplate, source: string): TemplateItem | undefined {
  const v = valueAt(tpl.template, parseFieldPath(source));
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as TemplateItem) : undefined;
}

/** Names the scope offers templates besides the bid's own fields. */
const COMPUTED_ROOTS = new Set(['deviations', 'outputs']);
const BID_ROOTS = new Set(Object.keys(bidSchema.shape));

const shorten = (s: string) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 30 ? `${one.slice(0, 30)}…` : one;
};

/** Finds text in rendered documents that no clause, template item or bid value accounts for. */
export function untracedText(
  docs: readonly Document[],
  bid: BidParams,
  lib: Library,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const doc of docs) {
    const where = `《${doc.meta.title}》`;
    const report = (msg: string) => out.push(diagnostic('UntracedText', `${where}${msg}`));
    const tpl = lib.templates.get(doc.meta.id as DocumentId);

    const checkTexts = (node: Node, fragments: readonly string[], from: string) => {
      for (const t of texts(node))
        if (!composedOf(t, fragments)) report(`中的文字“${shorten(t)}”不是${from}的内容`);
    };
    const checkVars = (node: Node) => {
      for (const v of vars(node)) {
        if (v.path === null) continue; // computed by the template or clause that holds it
        const segs = parseFieldPath(v.path);
        const root = String(segs[0]);
        if (COMPUTED_ROOTS.has(root)) continue;
        if (!BID_ROOTS.has(root) || valueAt(bid, segs) === undefined)
          report(`中的“${shorten(v.value)}”注明来自投标参数 ${v.path}，但投标参数中没有这个字段`);
      }
    };

    /** A heading a template item put on a clause (its title, or the template's own wording). */
    const clauseHeading = (h: Heading, c: Clause) => {
      const item = h.source && tpl ? itemAt(tpl, h.source) : undefined;
      if (c.origin !== undefined) {
        if (!item || !('extraCommitments' in item))
          report(`中“其他承诺”的标题没有对应的文档模板项`);
        return checkTexts(h, [], '投标参数');
      }
      if (!item || !('clause' in item) || item.clause !== c.id || !item.heading) {
        report(`中条款 ${c.id} 的标题“${shorten(textOf(h))}”没有对应的文档模板项`);
        return;
      }
      const title = lib.clauses.get(c.id)?.clause.title ?? '';
      const fragments =
        typeof item.heading === 'string' ? literalFragments(item.heading) : [squeeze(title)];
      checkTexts(h, fragments, `条款 ${c.id} 的标题`);
    };

    const clause = (c: Clause) => {
      let fragments: readonly string[];
      let from: string;
      if (c.origin !== undefined) {
        const m = /^extraCommitments\[(\d+)\]$/.exec(c.origin);
        const x = m ? bid.extraCommitments?.[Number(m[1])] : undefined;
        if (c.id !== 'extra-commitment' || c.version !== 0 || !x) {
          report(`中有一段注明来自 ${c.origin} 的文字，但投标参数中没有这项其他承诺`);
          return;
        }
        fragments = [squeeze(unescape(x.body))];
        from = `投标参数 ${c.origin}（本投标自拟的承诺）`;
      } else {
        const v = lib.clauses.get(c.id)?.clause.versions.find((x) => x.version === c.version);
        if (!v) {
          report(`中有一段注明来自条款 ${c.id} 第 ${c.version} 版的文字，但条款库中没有这个版本`);
          return;
        }
        fragments = literalFragments(v.body);
        from = `条款 ${c.id} 第 ${c.version} 版`;
      }
      c.children.forEach((b: ClauseContent) => {
        if (b.type === 'heading') {
          // Clause bodies cannot write headings: only a template item puts one on a clause.
          clauseHeading(b, c);
        } else checkTexts(b, fragments, from);
        checkVars(b);
      });
    };

    const templateBlock = (b: Exclude<Block, Clause>) => {
      if (b.type === 'pageBreak') return;
      if (b.type === 'list' || b.type === 'table') {
        // Only clause bodies write lists and tables.
        report(`中的“${shorten(textOf(b))}”不在任何条款中`);
        return;
      }
      const item = b.source && tpl ? itemAt(tpl, b.source) : undefined;
      const what =
        b.type === 'figure'
          ? `图“${b.caption}”`
          : b.type === 'toc'
            ? `目录“${b.title}”`
            : b.type === 'signature'
              ? '落款'
              : `“${shorten(textOf(b))}”`;
      const stray = () =>
        report(
          `中的${what}既不在任何条款中，也没有对应的文档模板项（${doc.meta.id}${b.source ? ` ${b.source}` : ''}）`,
        );
      if (!item) return stray();
      switch (b.type) {
        case 'title':
          if (!('title' in item)) return stray();
          return checkTexts(b, literalFragments(item.title), `文档模板的标题`);
        case 'paragraph':
          if (!('paragraph' in item)) return stray();
          return checkTexts(b, literalFragments(item.paragraph), `文档模板 ${b.source} 的段落`);
        case 'heading':
          if ('section' in item)
            return checkTexts(b, literalFragments(item.section), `文档模板 ${b.source} 的标题`);
          if ('extraCommitments' in item)
            return checkTexts(b, literalFragments(item.extraCommitments), `文档模板的标题`);
          return stray();
        case 'toc':
          if (!('toc' in item) || item.toc !== b.title) return stray();
          return;
        case 'figure':
          if (!('figure' in item) || item.figure !== b.id || item.caption !== b.caption)
            return stray();
          return;
        case 'signature':
          if (!('signature' in item) || b.children.length > item.signature.length) return stray();
          b.children.forEach((line: SignatureLine, j) => {
            const spec = item.signature[j]!;
            if (!labelPattern(spec.label).test(squeeze(line.label)))
              report(`中的落款“${line.label}”不是文档模板的内容`);
            checkTexts(line, spec.value ? literalFragments(spec.value) : [], '文档模板的落款');
          });
          return;
        default:
          return stray();
      }
    };

    for (const b of doc.children) {
      if (b.type === 'clause') clause(b);
      else {
        templateBlock(b);
        checkVars(b);
      }
    }
  }
  return out;
}

/** The text a reader sees in a node: its literal text and the values filled in. */
function textOf(n: Node): string {
  if (n.type === 'text' || n.type === 'var' || n.type === 'revision') return n.value;
  if (n.type === 'table')
    return [...n.head, ...n.body].map((r) => r.children.map(textOf).join(' ')).join(' ');
  return 'children' in n ? (n.children as readonly Node[]).map(textOf).join('') : '';
}
