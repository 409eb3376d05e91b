// Renders one document template with the bid's parameters into the IR (clause provenance kept).
import { diagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import type {
  Block,
  ClauseContent,
  Document,
  Heading,
  Inline,
  List,
  Paragraph,
  SignatureLine,
} from '../ir/types.js';
import { headingLabel } from '../ir/numbering.js';
import { flatBlocks, inlineText } from '../ir/text.js';
import { formatPath } from '../load/zod-issues.js';
import {
  resolveVersion,
  type Library,
  type LoadedTemplate,
  type VersionChoice,
} from '../library/library.js';
import { documentsOf, type BidParams, type DocumentId } from '../schema/bid.js';
import type { TemplateItem } from '../schema/library.js';
import { findPlaceholders } from '../checks/placeholders.js';
import { drawFigure } from '../figures/figures.js';
import { withoutOutlines } from '../figures/svg.js';
import type { Deviation } from '../checks/deviations.js';
import { markdownToBlocks, markdownToInlines } from './markdown.js';
import {
  compileTemplate,
  RenderScope,
  TemplateCodeError,
  type CompiledTemplate,
} from './template-engine.js';

/** Template strings are trusted code compiled once per process. */
const inlineCache = new Map<string, CompiledTemplate>();
function inlineTemplate(src: string): CompiledTemplate {
  let t = inlineCache.get(src);
  if (!t) inlineCache.set(src, (t = compileTemplate(src, 'template')));
  return t;
}

class HeadingCounter {
  private counts = [0, 0, 0, 0, 0];
  next(level: 1 | 2 | 3 | 4): string {
    this.counts[level]!++;
    for (let l = level + 1; l <= 4; l++) this.counts[l] = 0;
    return headingLabel(level, this.counts[level]!);
  }
  snapshot(): number[] {
    return [...this.counts];
  }
  restore(s: number[]): void {
    this.counts = [...s];
  }
}

interface Ctx {
  readonly lib: Library;
  readonly tpl: LoadedTemplate;
  readonly scope: RenderScope;
  readonly headings: HeadingCounter;
  readonly diags: Diagnostic[];
  readonly choice: VersionChoice;
  readonly bid: BidParams;
  readonly figures: { n: number };
  /** Draw figure text as outlines (false: checks only, see `RenderExtra.outlineFigures`). */
  readonly outlineFigures: boolean;
  /** Draft clause versions used, as `id@version`. */
  readonly drafts: Set<string>;
}

function levelOf(depth: number): 1 | 2 | 3 | 4 {
  return Math.min(4, Math.max(1, depth)) as 1 | 2 | 3 | 4;
}

function inline(ctx: Ctx, src: string, where: (string | number)[]): Inline[] {
  try {
    return markdownToInlines(inlineTemplate(src).render(ctx.scope));
  } catch (e) {
    if (!(e instanceof TemplateCodeError)) throw e;
    ctx.diags.push(
      diagnostic('TemplateFileInvalid', e.message, { location: ctx.tpl.source.locate(where) }),
    );
    return [];
  }
}

function included(ctx: Ctx, item: TemplateItem, where: (string | number)[]): boolean {
  if (!item.when) return true;
  try {
    return inlineTemplate(`{% if ${item.when} %}1{% endif %}`).render(ctx.scope).text === '1';
  } catch (e) {
    if (!(e instanceof TemplateCodeError)) throw e;
    ctx.diags.push(
      diagnostic('TemplateFileInvalid', `条件 when 无效：${e.message}`, {
        location: ctx.tpl.source.locate([...where, 'when']),
      }),
    );
    return false;
  }
}

function renderClause(
  ctx: Ctx,
  id: string,
  where: (string | number)[],
): { title: string; version: number; blocks: ClauseContent[] } | undefined {
  const loaded = ctx.lib.clauses.get(id);
  if (!loaded) {
    ctx.diags.push(
      diagnostic('ClauseNotFound', `模板引用的条款“${id}”不存在`, {
        location: ctx.tpl.source.locate([...where, 'clause']),
      }),
    );
    return undefined;
  }
  const resolved = resolveVersion(loaded, ctx.choice);
  if (!resolved.ok) {
    const pinned = ctx.choice.pins?.[id] !== undefined;
    ctx.diags.push(
      diagnostic(
        resolved.problem,
        resolved.message,
        pinned ? { path: `clauseVersions.${id}` } : { location: { file: loaded.file } },
      ),
    );
    return undefined;
  }
  const version = resolved.version;
  const compiled = loaded.compiled.get(version.version);
  if (!compiled) return undefined; // its compile error was reported when the library loaded
  if (version.status === 'draft') ctx.drafts.add(`${id}@${version.version}`);
  try {
    const blocks = markdownToBlocks(compiled.render(ctx.scope));
    return { title: loaded.clause.title, version: version.version, blocks };
  } catch (e) {
    if (!(e instanceof TemplateCodeError)) throw e;
    const i = loaded.clause.versions.indexOf(version);
    ctx.diags.push(
      diagnostic(
        'ClauseRenderFailed',
        `条款 ${id} 第 ${version.version} 版${e.line ? `正文第 ${e.line} 行` : ''}：${e.message}`,
        {
          location: loaded.source.locate(['versions', i, 'body']),
        },
      ),
    );
    return undefined;
  }
}

function heading(ctx: Ctx, depth: number, children: Inline[], source: string): Heading {
  const level = levelOf(depth);
  return { type: 'heading', level, label: ctx.headings.next(level), children, source };
}

function renderItems(
  ctx: Ctx,
  items: readonly TemplateItem[],
  depth: number,
  where: (string | number)[],
): Block[] {
  const out: Block[] = [];
  items.forEach((item, i) => {
    const at = [...where, i];
    if (!included(ctx, item, at)) return;
    // Which template item produced each block outside clauses (checks/traceability.ts).
    const source = formatPath(at);
    if ('title' in item) {
      out.push({ type: 'title', children: inline(ctx, item.title, [...at, 'title']), source });
    } else if ('paragraph' in item) {
      out.push({
        type: 'paragraph',
        source,
        align: item.align ?? 'left',
        indent: item.indent ?? true,
        children: inline(ctx, item.paragraph, [...at, 'paragraph']),
      });
    } else if ('clause' in item) {
      const r = renderClause(ctx, item.clause, at);
      if (!r || r.blocks.length === 0) return; // a clause with nothing to say is left out, heading too
      const head = item.heading
        ? [
            heading(
              ctx,
              depth,
              typeof item.heading === 'string'
                ? inline(ctx, item.heading, [...at, 'heading'])
                : [{ type: 'text' as const, value: r.title }],
              source,
            ),
          ]
        : [];
      out.push({
        type: 'clause',
        id: item.clause,
        version: r.version,
        children: [...head, ...r.blocks],
      });
    } else if ('section' in item) {
      // Number the heading only if the section turns out to have content.
      const snap = ctx.headings.snapshot();
      const h = heading(ctx, depth, inline(ctx, item.section, [...at, 'section']), source);
      const inner = renderItems(ctx, item.items, depth + 1, [...at, 'items']);
      if (inner.length === 0) return ctx.headings.restore(snap);
      out.push(h, ...inner);
    } else if ('toc' in item) {
      out.push({ type: 'toc', title: item.toc, depth: item.depth ?? 2, source });
    } else if ('pageBreak' in item) {
      out.push({ type: 'pageBreak' });
    } else if ('extraCommitments' in item) {
      out.push(...extraCommitments(ctx, item.extraCommitments, depth, at));
    } else if ('figure' in item) {
      const draw = () => drawFigure(item.figure, ctx.bid, item.caption);
      const drawn = ctx.outlineFigures ? draw() : withoutOutlines(draw);
      if (drawn)
        out.push({
          type: 'figure',
          id: item.figure,
          number: ++ctx.figures.n,
          caption: item.caption,
          ...drawn,
          source,
        });
    } else {
      const lines: SignatureLine[] = item.signature.map((l, j) => ({
        type: 'signatureLine',
        label: inlineText(inline(ctx, l.label, [...at, 'signature', j, 'label'])),
        children: l.value ? inline(ctx, l.value, [...at, 'signature', j, 'value']) : [],
      }));
      out.push({ type: 'signature', children: lines, source });
    }
  });
  return out;
}

/**
 * The bid's own commitments, outside the clause library: a numbered section with one sub-heading
 * per commitment. The bodies are the user's Markdown, parsed but never run as a template.
 */
function extraCommitments(
  ctx: Ctx,
  title: string,
  depth: number,
  at: (string | number)[],
): Block[] {
  const list = ctx.bid.extraCommitments ?? [];
  if (!list.length) return [];
  const source = formatPath(at);
  const out: Block[] = [
    heading(ctx, depth, inline(ctx, title, [...at, 'extraCommitments']), source),
  ];
  list.forEach((x, i) => {
    const path = `extraCommitments[${i}]`;
    let body: ClauseContent[];
    try {
      body = markdownToBlocks({ text: x.body, slots: [] }, { fromBid: true });
    } catch (e) {
      if (!(e instanceof TemplateCodeError)) throw e;
      ctx.diags.push(
        diagnostic(
          'InvalidValue',
          `其他承诺的内容写法不受支持：${e.message}。可以使用段落、列表和加粗`,
          {
            path: `${path}.body`,
          },
        ),
      );
      return;
    }
    const titleVar: Inline = {
      type: 'var',
      path: `${path}.title`,
      local: false,
      expr: `${path}.title`,
      raw: x.title,
      value: x.title,
    };
    out.push({
      type: 'clause',
      id: 'extra-commitment',
      version: 0,
      origin: path,
      children: [heading(ctx, depth + 1, [titleVar], source), ...body],
    });
  });
  return out;
}

/** Marks the paragraph just before each signature block so the two share a page. */
function keepBeforeSignature(blocks: Block[]): Block[] {
  const mark = (b: Block): Block => {
    if (b.type === 'paragraph') return { ...b, keepWithNext: true };
    if (b.type === 'clause' && b.children.length) {
      const last = b.children[b.children.length - 1]!;
      return last.type === 'paragraph'
        ? { ...b, children: [...b.children.slice(0, -1), { ...last, keepWithNext: true }] }
        : b;
    }
    return b;
  };
  return blocks.map((b, i) => (blocks[i + 1]?.type === 'signature' ? mark(b) : b));
}

/** A paragraph ending like this announces what follows it (`如下：`, `违约处罚：`). */
const ANNOUNCES = /[：:]\s*$/;

/**
 * Marks the lead-ins (`introducesList`, src/ir/README.md): a paragraph ending with ：/: whose next
 * block is a list (clause containers do not separate them), and a list item's paragraph followed in
 * the item by its sub-list. Writers keep each on the page of its list's first item.
 */
export function markLeadIns(blocks: readonly Block[]): Block[] {
  const flat = flatBlocks(blocks);
  const leads = new Set<Paragraph>();
  flat.forEach((b, i) => {
    if (b.type === 'paragraph' && flat[i + 1]?.type === 'list' && announces(b)) leads.add(b);
  });
  const lead = (p: Paragraph): Paragraph => ({ ...p, introducesList: true });
  const list = (l: List): List => ({
    ...l,
    children: l.children.map((item) => ({
      ...item,
      children: item.children.map((c, j) =>
        c.type === 'list' ? list(c) : item.children[j + 1]?.type === 'list' ? lead(c) : c,
      ),
    })),
  });
  const block = <B extends Block>(b: B): B =>
    b.type === 'paragraph' && leads.has(b)
      ? (lead(b) as B)
      : b.type === 'list'
        ? (list(b) as B)
        : b.type === 'clause'
          ? ({ ...b, children: b.children.map(block) } as B)
          : b;
  return blocks.map(block);
}

function announces(p: Paragraph): boolean {
  return ANNOUNCES.test(inlineText(p.children));
}

/** Data computed from the bid (not bid fields) that some templates show, such as deviations. */
export interface RenderExtra {
  readonly deviations?: readonly Deviation[];
  /** Use draft clause versions (documents are then marked 草稿). */
  readonly allowDrafts?: boolean;
  /**
   * false: the documents are only checked, never written (`lint`, `explain`), so figures are drawn
   * without their text and no font is loaded; their presence and data are the same.
   */
  readonly outlineFigures?: boolean;
}

/** Renders one document; every problem found is thrown together as a TenderKitError. */
export function renderDocument(
  lib: Library,
  bid: BidParams,
  id: DocumentId,
  extra: RenderExtra = {},
): Document {
  const tpl = lib.templates.get(id);
  if (!tpl) throw new TenderKitError([diagnostic('TemplateNotFound', `没有名为“${id}”的文档模板`)]);
  const ctx: Ctx = {
    lib,
    tpl,
    scope: new RenderScope({
      ...(bid as unknown as Record<string, unknown>),
      deviations: extra.deviations,
      outputs: documentsOf(bid),
    }),
    choice: { pins: bid.clauseVersions, allowDrafts: extra.allowDrafts },
    bid,
    figures: { n: 0 },
    outlineFigures: extra.outlineFigures ?? true,
    drafts: new Set<string>(),
    headings: new HeadingCounter(),
    diags: [],
  };
  const children = markLeadIns(
    keepBeforeSignature(renderItems(ctx, tpl.template.items, 1, ['items'])),
  );
  if (ctx.diags.length) throw new TenderKitError(ctx.diags);
  const doc: Document = {
    type: 'document',
    meta: {
      id,
      title: tpl.template.title,
      date: bid.signature.date,
      author: bid.bidder.name,
      subject: bid.project.name,
      draft: ctx.drafts.size > 0,
    },
    children,
  };
  const left = findPlaceholders(doc);
  if (left.length) throw new TenderKitError(left);
  return doc;
}
