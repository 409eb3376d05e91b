// Parses rendered clause text (a small Markdown subset) into IR blocks, turning slots into `var`s.
// Rendered text holds slot markers where values go, so the same clause renders to the same text
// for most bids: its parse is kept in memory and in the library's disk cache (src/library/cache.ts),
// and the parser itself is loaded only when a text is not found there.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as FromMarkdown from 'mdast-util-from-markdown';
import type { CompileContext, Extension, Token } from 'mdast-util-from-markdown';
import type * as GfmTable from 'micromark-extension-gfm-table';
import type * as md from 'mdast';
import { cacheGet, cachePut } from '../library/cache.js';
import type { ClauseContent, ColumnSpec, Inline, List, Paragraph, TableRow } from '../ir/types.js';
import { SLOT_RE, TemplateCodeError, type Rendered } from './template-engine.js';

/** Constructs switched off: the subset is paragraphs, lists, bold, tables and escapes. */
const SUBSET = {
  disable: {
    null: [
      'autolink',
      'blockQuote',
      'characterReference',
      'codeFenced',
      'codeIndented',
      'codeText',
      'definition',
      'headingAtx',
      'htmlFlow',
      'htmlText',
      'labelStartImage',
      'labelStartLink',
      'setextUnderline',
      'thematicBreak',
    ],
  },
};

/**
 * Tables from micromark's GFM table tokens: what `gfmTableFromMarkdown` (mdast-util-gfm-table)
 * does for the subset (code spans are off, so their `\\|` rule does not apply). That package also
 * carries the Markdown serialiser and with it mdast-util-to-markdown, ~50 modules a command
 * would load for nothing.
 */
const TABLES: Extension = {
  enter: {
    table(this: CompileContext, token: Token) {
      const align = (token as Token & { _align?: ('left' | 'right' | 'center' | 'none')[] })._align;
      this.enter(
        { type: 'table', align: (align ?? []).map((a) => (a === 'none' ? null : a)), children: [] },
        token,
      );
    },
    tableRow(this: CompileContext, token: Token) {
      this.enter({ type: 'tableRow', children: [] }, token);
    },
    tableHeader: enterCell,
    tableData: enterCell,
  },
  exit: { table: exit, tableRow: exit, tableHeader: exit, tableData: exit },
};
function enterCell(this: CompileContext, token: Token) {
  this.enter({ type: 'tableCell', children: [] }, token);
}
function exit(this: CompileContext, token: Token) {
  this.exit(token);
}

const CJK = /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F]/;

type Parser = (text: string) => md.Root;
let parser: Parser | undefined;
/** The parser, loaded on first use (require of the ES modules: synchronous, Node ≥ 20.19). */
function loadParser(): Parser {
  if (!parser) {
    const require = createRequire(import.meta.url);
    const { fromMarkdown } = require('mdast-util-from-markdown') as typeof FromMarkdown;
    const { gfmTable } = require('micromark-extension-gfm-table') as typeof GfmTable;
    parser = (text) =>
      fromMarkdown(text, { extensions: [gfmTable(), SUBSET], mdastExtensions: [TABLES] });
  }
  return parser;
}

/** What the converter reads of a node: no positions but the line it starts on. */
function slim(n: md.Nodes): md.Nodes {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === 'position') {
      const line = (v as { start: { line: number } } | undefined)?.start.line;
      if (line !== undefined) out.position = { start: { line } };
    } else if (k === 'children') out.children = (v as md.Nodes[]).map(slim);
    else if (k !== 'data') out[k] = v;
  }
  return out as unknown as md.Nodes;
}

const parsed = new Map<string, md.Root>();
const CACHE_KIND = 'markdown';

/** `keep: false` for text the bid wrote: parsed, never kept (the cache holds library text only). */
function parse(text: string, keep = true): md.Root {
  if (!keep) return slim(loadParser()(text)) as md.Root;
  let root = parsed.get(text);
  if (root) return root;
  const sha256 = createHash('sha256').update(text).digest('hex');
  const hit = cacheGet(CACHE_KIND, sha256) as md.Root | undefined;
  if (hit?.type === 'root' && Array.isArray(hit.children)) root = hit;
  else {
    root = slim(loadParser()(text)) as md.Root;
    cachePut(CACHE_KIND, sha256, root);
  }
  // A long-running server renders many bids: keep the most recent texts only.
  if (parsed.size >= 5000) parsed.clear();
  parsed.set(text, root);
  return root;
}

class Converter {
  constructor(private readonly slots: Rendered['slots']) {}

  blocks(nodes: readonly md.RootContent[], depth = 0): ClauseContent[] {
    const out: ClauseContent[] = [];
    for (const n of nodes) {
      if (n.type === 'paragraph') out.push(this.paragraph(n, depth === 0));
      else if (n.type === 'list') out.push(this.list(n, depth));
      else if (n.type === 'table') out.push(this.table(n));
      else this.unsupported(n);
    }
    return out;
  }

  paragraph(n: md.Paragraph, indent: boolean): Paragraph {
    return { type: 'paragraph', align: 'left', indent, children: this.inlines(n.children) };
  }

  list(n: md.List, depth: number): List {
    return {
      type: 'list',
      ordered: Boolean(n.ordered),
      start: n.start ?? 1,
      depth,
      children: n.children.map((item) => ({
        type: 'listItem' as const,
        children: item.children.map((c) => {
          if (c.type === 'paragraph') return this.paragraph(c, false);
          if (c.type === 'list') return this.list(c, depth + 1);
          return this.unsupported(c);
        }),
      })),
    };
  }

  table(n: md.Table): ClauseContent {
    const columns: ColumnSpec[] = (n.align ?? []).map((a) => ({
      align: a === 'center' ? 'center' : a === 'right' ? 'right' : 'left',
    }));
    const rows: TableRow[] = n.children.map((r) => ({
      type: 'tableRow',
      children: r.children.map((cell) => ({
        type: 'tableCell',
        children: this.inlines(cell.children),
      })),
    }));
    return { type: 'table', columns, head: rows.slice(0, 1), body: rows.slice(1) };
  }

  inlines(nodes: readonly md.PhrasingContent[]): Inline[] {
    const out: Inline[] = [];
    for (const n of nodes) {
      if (n.type === 'text') out.push(...this.text(n.value));
      else if (n.type === 'strong')
        out.push({ type: 'strong', children: this.inlines(n.children) });
      else if (n.type === 'break') out.push({ type: 'break' });
      else this.unsupported(n);
    }
    return mergeText(out);
  }

  text(value: string): Inline[] {
    const out: Inline[] = [];
    let last = 0;
    const literal = (s: string) => {
      // Soft line breaks: nothing between Chinese characters, one space otherwise.
      const t = s.replace(/[ \t]*\n[ \t]*/g, (_m, off: number, all: string) =>
        CJK.test(all[off - 1] ?? '') || CJK.test(all[off + _m.length] ?? '') ? '' : ' ',
      );
      if (t) out.push({ type: 'text', value: t });
    };
    for (const m of value.matchAll(SLOT_RE)) {
      literal(value.slice(last, m.index));
      const slot = this.slots[Number(m[1])];
      if (!slot) throw new TemplateCodeError(`internal: slot ${m[1]} missing`);
      out.push({
        type: 'var',
        path: slot.path,
        local: slot.local,
        expr: slot.expr,
        raw: slot.raw,
        value: slot.value,
      });
      last = m.index + m[0].length;
    }
    literal(value.slice(last));
    return out;
  }

  unsupported(n: md.Node): never {
    const line = n.position?.start.line;
    throw new TemplateCodeError(
      `不支持的 Markdown 写法“${n.type}”${line ? `（渲染结果第 ${line} 行）` : ''}`,
    );
  }
}

function mergeText(list: Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const n of list) {
    const prev = out[out.length - 1];
    if (n.type === 'text' && prev?.type === 'text')
      out[out.length - 1] = { type: 'text', value: prev.value + n.value };
    else out.push(n);
  }
  return out;
}

/**
 * Characters that may start a construct of the subset on a line (emphasis, escapes, the block
 * markers a line can begin with, table pipes) or that the parser rewrites (NUL, CR).
 */
const MARKUP = /[\0\r*_\\`<>&[\]!#|~=+-]/;
const ORDERED = /^[ \t]*\d{1,9}[.)]/m;
/** A line break with spaces or tabs before it (a hard break, with two spaces). */
const TRAILING = /[ \t](?:\n|$)/;

/**
 * Plain text: paragraphs separated by blank lines, none of whose lines holds markup, starts like
 * an ordered list item or ends in spaces. The parser reads such text as these paragraphs, each
 * line without its leading spaces and tabs, the lines joined by their line breaks; so it need not
 * run (most bodies of the letter, most template strings, the bid's own commitments).
 */
function plainText(text: string): md.Root | undefined {
  if (MARKUP.test(text) || ORDERED.test(text) || TRAILING.test(text)) return undefined;
  const children: md.Paragraph[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length)
      children.push({ type: 'paragraph', children: [{ type: 'text', value: lines.join('\n') }] });
    lines = [];
  };
  for (const line of text.split('\n')) {
    const content = line.replace(/^[ \t]+/, '');
    if (content) lines.push(content);
    else flush();
  }
  flush();
  return { type: 'root', children };
}

/**
 * Block content of a clause body. Its rendered text holds only the library's wording (values are
 * slot markers), so its parse is cached; Markdown the bid itself wrote is parsed with
 * `{ fromBid: true }` and never cached.
 */
export function markdownToBlocks(
  rendered: Rendered,
  opts: { fromBid?: boolean } = {},
): ClauseContent[] {
  const root = plainText(rendered.text) ?? parse(rendered.text, !opts.fromBid);
  return new Converter(rendered.slots).blocks(root.children);
}

/** `markdownToBlocks` through the parser, for every text (the tests compare the two). */
export function parsedBlocks(rendered: Rendered): ClauseContent[] {
  return new Converter(rendered.slots).blocks(parse(rendered.text, false).children);
}

/** Inline content of a one-line template string (titles, signature values). */
export function markdownToInlines(rendered: Rendered): Inline[] {
  // Most titles and paragraphs of the templates are plain text: no need to run the parser.
  const plain = rendered.text.includes('\n') ? undefined : plainText(rendered.text);
  return inlinesOf(plain ?? parse(rendered.text), rendered.slots);
}

/** `markdownToInlines` through the parser, for every text (the tests compare the two). */
export function parsedInlines(rendered: Rendered): Inline[] {
  return inlinesOf(parse(rendered.text, false), rendered.slots);
}

function inlinesOf(root: md.Root, slots: Rendered['slots']): Inline[] {
  if (root.children.length === 0) return [];
  const [first, ...rest] = root.children;
  if (rest.length || first?.type !== 'paragraph') {
    throw new TemplateCodeError('此处只能写一行文字');
  }
  return new Converter(slots).inlines(first.children);
}
