// Parses rendered clause text (a small Markdown subset) into IR blocks, turning slots into `var`s.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTable } from 'micromark-extension-gfm-table';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import type * as md from 'mdast';
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

const CJK = /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F]/;

function parse(text: string): md.Root {
  return fromMarkdown(text, {
    extensions: [gfmTable(), SUBSET],
    mdastExtensions: [gfmTableFromMarkdown()],
  });
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

/** Block content of a clause body. */
export function markdownToBlocks(rendered: Rendered): ClauseContent[] {
  return new Converter(rendered.slots).blocks(parse(rendered.text).children);
}

/** Inline content of a one-line template string (titles, signature values). */
export function markdownToInlines(rendered: Rendered): Inline[] {
  const root = parse(rendered.text);
  const conv = new Converter(rendered.slots);
  if (root.children.length === 0) return [];
  const [first, ...rest] = root.children;
  if (rest.length || first?.type !== 'paragraph') {
    throw new TemplateCodeError('此处只能写一行文字');
  }
  return conv.inlines(first.children);
}
