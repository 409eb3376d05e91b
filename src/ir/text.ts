// Plain-text views of the IR, shared by checks, writers and tests.
import type { Block, Clause, Figure, Inline, List, Node, Table } from './types.js';
import { listMarker } from './numbering.js';

export function inlineText(children: readonly Inline[]): string {
  let s = '';
  for (const c of children) {
    if (c.type === 'text' || c.type === 'var' || c.type === 'revision') s += c.value;
    else if (c.type === 'strong') s += inlineText(c.children);
    else s += '\n';
  }
  return s;
}

/** The document's text as lines, in reading order, as a reader would see it on paper. */
export function blockLines(blocks: readonly Block[]): string[] {
  const out: string[] = [];
  const list = (l: List) => {
    l.children.forEach((item, i) => {
      item.children.forEach((b, j) => {
        if (b.type === 'list') list(b);
        else out.push((j === 0 ? listMarker(l, i) : '') + inlineText(b.children));
      });
    });
  };
  const table = (t: Table) => {
    for (const row of [...t.head, ...t.body])
      for (const cell of row.children) out.push(inlineText(cell.children));
  };
  for (const b of blocks) {
    switch (b.type) {
      case 'title':
      case 'paragraph':
        out.push(inlineText(b.children));
        break;
      case 'heading':
        out.push(b.label + inlineText(b.children));
        break;
      case 'list':
        list(b);
        break;
      case 'table':
        table(b);
        break;
      case 'signature':
        for (const line of b.children) out.push(`${line.label}：${inlineText(line.children)}`);
        break;
      case 'clause':
        out.push(...blockLines(b.children));
        break;
      case 'figure':
        out.push(figureCaption(b));
        break;
      case 'toc':
        // Page numbers exist only where the format has pages; the entries themselves are text.
        out.push(b.title, ...tocEntries(blocks, b.depth).map((e) => e.text));
        break;
      case 'pageBreak':
        break;
    }
  }
  return out;
}

/** Visits every node depth-first, with the clause id it sits in (if any). */
export function visit(
  node: Node,
  fn: (n: Node, clause: string | null) => void,
  clause: string | null = null,
): void {
  fn(node, clause);
  const inner = node.type === 'clause' ? node.id : clause;
  if (node.type === 'table') {
    for (const r of [...node.head, ...node.body]) visit(r, fn, inner);
    return;
  }
  if ('children' in node) for (const c of node.children as readonly Node[]) visit(c, fn, inner);
}

/** The blocks with clause containers opened up (clauses never nest). */
export function flatBlocks(blocks: readonly Block[]): Exclude<Block, Clause>[] {
  return blocks.flatMap<Exclude<Block, Clause>>((b) =>
    b.type === 'clause' ? [...b.children] : [b],
  );
}

/** `图1` + ideographic space + caption: the line every writer prints under a figure. */
export function figureCaption(f: Figure): string {
  return `图${f.number}\u3000${f.caption}`;
}

/** The headings a table of contents lists, in order, down to `depth`. */
export function tocEntries(
  blocks: readonly Block[],
  depth: number,
): { level: number; text: string }[] {
  return flatBlocks(blocks).flatMap((b) =>
    b.type === 'heading' && b.level <= depth
      ? [{ level: b.level, text: b.label + inlineText(b.children) }]
      : [],
  );
}
