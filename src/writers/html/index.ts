// HTML writer: a standalone A4-styled preview; values from the bid are marked with their field path.
import { readFileSync } from 'node:fs';
import { dispatch, type Handlers } from '../../ir/handlers.js';
import {
  columnFractions,
  DEFAULT_HOUSE_STYLE,
  footerParts,
  frontMatter,
  styleOf,
} from '../../ir/layout.js';
import { listMarker } from '../../ir/numbering.js';
import { figureCaption, flatBlocks, inlineText } from '../../ir/text.js';
import type {
  Block,
  Document,
  Heading,
  HouseStyle,
  Inline,
  NodeType,
  StyleFont,
} from '../../ir/types.js';
import { eachItem, itemBlocks, type ItemContext } from '../list-context.js';
import { DRAFT_MARK, XML_ILLEGAL, type Writer } from '../types.js';

export function escapeHtml(s: string): string {
  return s
    .replace(XML_ILLEGAL, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

interface Ctx {
  readonly style: HouseStyle;
  /** Headings with their anchors, for a table of contents. */
  readonly toc?: readonly { node: Heading; level: number; text: string; anchor: string }[];
  readonly item?: ItemContext;
  readonly aligns?: readonly string[];
  readonly cell?: 'th' | 'td';
}

const text = (s: string) => escapeHtml(s).replace(/\n/g, '<br>');
const inlines = (list: readonly Inline[], ctx: Ctx, h: Handlers<Ctx, Result>) =>
  list.map((n) => dispatch(h, n, ctx)).join('');
const blocks = (list: readonly Block[], ctx: Ctx, h: Handlers<Ctx, Result>) =>
  list.map((n) => dispatch(h, n, ctx)).join('\n');

type Result = { readonly [T in NodeType]: string };

export const STYLE = `
  :root { --ink: #1a1a1a; --var: #fff3bf; --var-line: #e0a800; }
  body { margin: 0; background: #e9ecef; color: var(--ink);
    font-family: "Noto Serif SC", "Source Han Serif SC", "Songti SC", SimSun, serif; }
  .tk-page { box-sizing: border-box; width: 210mm; min-height: 297mm; margin: 16px auto; padding: 25.4mm 25mm;
    background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.2); font-size: 12pt; line-height: 1.75; }
  .tk-page h1, .tk-page h2, .tk-page h3, .tk-page h4, .tk-title {
    font-family: "Noto Sans SC", "Source Han Sans SC", "Heiti SC", SimHei, sans-serif; margin: .8em 0 .3em; }
  .tk-title { font-size: 22pt; text-align: center; margin: 0 0 1em; }
  .tk-page h2 { font-size: 14pt; } .tk-page h3 { font-size: 12pt; } .tk-page h4, .tk-page h5 { font-size: 12pt; font-weight: normal; }
  .tk-page p { margin: 0 0 .2em; text-align: justify; line-break: strict; orphans: 2; widows: 2; }
  .tk-page h2, .tk-page h3, .tk-page h4, .tk-page h5, .tk-page .tk-lead { break-after: avoid; } .tk-page tr { break-inside: avoid; }
  .tk-indent { text-indent: 2em; }
  .tk-li { display: flex; } .tk-marker { flex: 0 0 2em; } .tk-li > span:last-child { flex: 1; }
  .tk-page table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: .3em 0 .8em; font-size: 10.5pt; line-height: 1.4; }
  .tk-page th, .tk-page td { border: .5pt solid #000; padding: 3pt 4pt; vertical-align: middle; }
  .tk-figure { margin: .6em 0 .9em; text-align: center; page-break-inside: avoid; }
  .tk-figure .tk-svg { margin: 0 auto; } .tk-figure svg { width: 100%; height: auto; }
  .tk-figure figcaption { font-size: 10.5pt; margin-top: .2em; }
  .tk-toc h2 { text-align: center; } .tk-toc ol { list-style: none; padding: 0; }
  .tk-toc li { margin: .2em 0; } .tk-toc .tk-toc-2 { padding-left: 2em; } .tk-toc a { color: inherit; text-decoration: none; }
  .tk-page-break { break-after: page; border-top: 1px dashed #ccc; margin: 1.5em 0; }
  @media print { .tk-page-break { border: 0; margin: 0; } }
  .tk-cover { display: flex; flex-direction: column; justify-content: center; min-height: calc(297mm - 50.8mm - 3em); padding-bottom: 3em; box-sizing: border-box; }
  .tk-cover .tk-title { margin-bottom: 1.5em; } .tk-cover p { font-size: 14pt; margin: 0 0 .8em; }
  @media print { .tk-cover { min-height: calc(297mm - 50.8mm - 2px); }
    @page { @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 9pt; } }
    .tk-front { page: tk-front; } @page tk-front { counter-increment: page 0; @bottom-center { content: none; } } }
  .tk-signature { margin: 1.5em 0 0 30%; page-break-inside: avoid; }
  .tk-signature p { margin: .4em 0; }
  .tk-var { background: var(--var); border-bottom: 1px dotted var(--var-line); }
  .tk-var[data-derived] { background: #e7f5ff; border-bottom-color: #74c0fc; }
  .tk-plain .tk-var { background: none; border: 0; }
  ins.tk-rev { color: #1d4ed8; text-decoration: underline; } del.tk-rev { color: #b91c1c; }
  .tk-draft { background-image: repeating-linear-gradient(-45deg, transparent 0 120px, rgba(192,0,0,.05) 120px 160px); }
  .tk-draft-mark { text-align: right; color: #c00000; font-weight: bold; margin: -1.5em 0 .5em; }
  @media print { body { background: #fff; } .tk-page { margin: 0; box-shadow: none; width: auto; min-height: 0; padding: 0; }
    .tk-var { background: none; border: 0; } @page { size: A4; margin: 25.4mm 25mm; } }
`;

const handlers: Handlers<Ctx, Result> = {
  document: (n, ctx, h) =>
    `<article class="tk-page${n.meta.draft ? ' tk-draft' : ''}" data-document="${escapeHtml(n.meta.id)}" lang="zh-CN">\n${houseHeader(ctx.style)}${n.meta.draft ? `<p class="tk-draft-mark">${DRAFT_MARK}</p>\n` : ''}${documentBody(n, ctx, h)}\n</article>`,
  title: (n, ctx, h) => `<h1 class="tk-title">${inlines(n.children, ctx, h)}</h1>`,
  // h1 is the document title, so heading level L is <h(L+1)>.
  heading: (n, ctx, h) =>
    `<h${n.level + 1}>${text(n.label)}${inlines(n.children, ctx, h)}</h${n.level + 1}>`,
  paragraph: (n, ctx, h) => {
    const body = inlines(n.children, ctx, h);
    const item = ctx.item;
    // A lead-in (IR `introducesList`) is kept with its list's first item when printed.
    const lead = n.introducesList ? ' tk-lead' : '';
    if (item)
      return `<p class="tk-li${lead}" style="margin-left:${2 * item.list.depth}em"><span class="tk-marker">${text(listMarker(item.list, item.index).trimEnd())}</span><span>${body}</span></p>`;
    const classes = `${n.indent ? 'tk-indent' : ''}${lead}`.trim();
    const cls = classes ? ` class="${classes}"` : '';
    const style = n.align !== 'left' ? ` style="text-align:${n.align}"` : '';
    return `<p${cls}${style}>${body}</p>`;
  },
  list: (n, ctx, h) =>
    `<div class="tk-list">${eachItem(n, ctx, (item, c) => [dispatch(h, item, c)]).join('')}</div>`,
  listItem: (n, ctx, h) => itemBlocks(n, ctx, (b, c) => [dispatch(h, b, c)]).join(''),
  table: (n, ctx, h) => {
    const cols = columnFractions(n, ctx.style)
      .map((f) => `<col style="width:${(f * 100).toFixed(2)}%">`)
      .join('');
    const head = n.head
      .map((r) => dispatch(h, r, { ...ctx, cell: 'th', aligns: n.columns.map(() => 'center') }))
      .join('');
    const body = n.body
      .map((r) => dispatch(h, r, { ...ctx, cell: 'td', aligns: n.columns.map((c) => c.align) }))
      .join('');
    return `<table><colgroup>${cols}</colgroup><thead>${head}</thead><tbody>${body}</tbody></table>`;
  },
  tableRow: (n, ctx, h) =>
    `<tr>${n.children.map((c, i) => dispatch(h, c, { ...ctx, aligns: [ctx.aligns?.[i] ?? 'left'] })).join('')}</tr>`,
  tableCell: (n, ctx, h) => {
    const tag = ctx.cell ?? 'td';
    return `<${tag} style="text-align:${ctx.aligns?.[0] ?? 'left'}">${inlines(n.children, ctx, h)}</${tag}>`;
  },
  signature: (n, ctx, h) =>
    `<div class="tk-signature">${n.children.map((l) => dispatch(h, l, ctx)).join('')}</div>`,
  signatureLine: (n, ctx, h) => `<p>${text(n.label)}：${inlines(n.children, ctx, h)}</p>`,
  toc: (n, ctx) =>
    `<nav class="tk-toc"><h2>${text(n.title)}</h2><ol>${(ctx.toc ?? [])
      .filter((e) => e.level <= n.depth)
      .map((e) => `<li class="tk-toc-${e.level}"><a href="#${e.anchor}">${text(e.text)}</a></li>`)
      .join('')}</ol></nav>`,
  pageBreak: () => '<div class="tk-page-break"></div>',
  // The SVG is generated by TenderKit (text as glyph outlines, no user markup), so it is inlined.
  figure: (n) =>
    `<figure class="tk-figure" data-figure="${escapeHtml(n.id)}"><div class="tk-svg" style="max-width:${n.width}pt">${n.svg}</div><figcaption>${text(figureCaption(n))}</figcaption></figure>`,
  clause: (n, ctx, h) =>
    `<section data-clause="${escapeHtml(n.id)}" data-version="${n.version}">\n${blocks(n.children, ctx, h)}\n</section>`,
  text: (n) => text(n.value),
  strong: (n, ctx, h) => `<strong>${inlines(n.children, ctx, h)}</strong>`,
  var: (n) =>
    n.path
      ? `<span class="tk-var" data-path="${escapeHtml(n.path)}" title="${escapeHtml(n.path)}">${text(n.value)}</span>`
      : `<span class="tk-var" data-derived title="${escapeHtml(n.expr)}">${text(n.value)}</span>`,
  break: () => '<br>',
  revision: (n) => {
    const tag = n.kind === 'insert' ? 'ins' : 'del';
    return `<${tag} class="tk-rev" datetime="${escapeHtml(n.date)}" title="${escapeHtml(`${n.author} ${n.date}`)}">${text(n.value)}</${tag}>`;
  },
};

/**
 * The blocks; a cover and contents (front matter) sit in `.tk-front`, printed on pages of their
 * own that carry no page number and are not counted, the cover in `.tk-cover`, centred on its page.
 */
function documentBody(n: Document, ctx: Ctx, h: Handlers<Ctx, Result>): string {
  const front = frontMatter(n);
  if (!front.body) return blocks(n.children, ctx, h);
  const cover = n.children.slice(0, front.cover);
  return [
    '<div class="tk-front">',
    cover.length ? `<section class="tk-cover">\n${blocks(cover, ctx, h)}\n</section>` : '',
    blocks(n.children.slice(front.cover, front.body), ctx, h),
    '</div>',
    blocks(n.children.slice(front.body), ctx, h),
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * Printed from a browser, a document with front matter numbers its body pages from 1, but the
 * browser's page total still counts the cover and the contents: the footer then leaves the total
 * out (`第 {page} 页`) rather than print a wrong one.
 */
function frontMatterCss(doc: Document): string {
  if (!frontMatter(doc).body) return '';
  const format = styleOf(doc)
    .footer.replace(/\s*共\s*\{pages\}\s*页/, '')
    .replace(/\{pages\}/g, '');
  const content = footerParts(format)
    .map((p) => (typeof p === 'string' ? cssString(p) : `counter(${p.field})`))
    .join(' ');
  return `\n@media print { @page { @bottom-center { content: ${content || 'none'}; } } }\n`;
}

// ── House style ─────────────────────────────────────────────────────────────
// The workspace's style as CSS over STYLE: the same sizes (pt), margins (the page's padding and
// @page), line spacing and font names as the .docx. Font files are not served: the preview names
// the Word fonts (Latin first, as Word picks per character), then the PDF font file's family
// (matched when it is installed), then the built-in Noto families STYLE names.

const SERIF_FALLBACK = '"Noto Serif SC", "Source Han Serif SC", "Songti SC", SimSun, serif';
const SANS_FALLBACK = '"Noto Sans SC", "Source Han Sans SC", "Heiti SC", SimHei, sans-serif';

/** Font names were checked when the settings were read (no quotes, brackets or backslashes). */
function families(f: StyleFont, fallback: string): string {
  const names = [f.latin, f.chinese, ...(f.pdf.kind === 'file' ? [f.pdf.family] : [])];
  return [...new Set(names)].map((n) => `"${n}"`).join(', ') + `, ${fallback}`;
}

/** A CSS string literal: quotes, backslashes and anything that could close <style> escaped. */
function cssString(s: string): string {
  return `"${s.replace(XML_ILLEGAL, '').replace(/[\\"<>&\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
}

const pt = (n: number) => `${Math.round(n * 1000) / 1000}pt`;

/** CSS for a document's house style, over STYLE; empty for the built-in style. */
export function houseStyleCss(style: HouseStyle): string {
  if (style === DEFAULT_HOUSE_STYLE) return '';
  const D = DEFAULT_HOUSE_STYLE;
  const z = style.sizes;
  const m = style.margins;
  const padding = `${pt(m.top)} ${pt(m.right)} ${pt(m.bottom)} ${pt(m.left)}`;
  const lineHeight =
    style.lineSpacing.kind === 'multiple'
      ? String(Math.round(((style.lineSpacing.value * 7) / 6) * 1000) / 1000)
      : pt(style.lineSpacing.pt);
  const sameFonts = JSON.stringify(style.fonts) === JSON.stringify(D.fonts);
  const footer = footerParts(style.footer)
    .map((p) => (typeof p === 'string' ? cssString(p) : `counter(${p.field})`))
    .join(' ');
  const css = [
    ...(sameFonts
      ? []
      : [
          `body, .tk-page { font-family: ${families(style.fonts.body, SERIF_FALLBACK)}; }`,
          `.tk-page h1, .tk-page h2, .tk-page h3, .tk-page h4, .tk-title { font-family: ${families(style.fonts.heading, SANS_FALLBACK)}; }`,
        ]),
    `.tk-page { font-size: ${pt(z.body)}; line-height: ${lineHeight}; padding: ${padding}; }`,
    `.tk-title { font-size: ${pt(z.title)}; }`,
    `.tk-page h2 { font-size: ${pt(z.heading1)}; } .tk-page h3 { font-size: ${pt(z.heading2)}; }`,
    `.tk-page h4 { font-size: ${pt(z.heading3)}; } .tk-page h5 { font-size: ${pt(z.heading4)}; }`,
    `.tk-page table, .tk-figure figcaption { font-size: ${pt(z.table)}; }`,
    `.tk-header { display: flex; align-items: flex-end; justify-content: space-between; gap: 6pt;`,
    `  border-bottom: .5pt solid #000; padding-bottom: 2pt; margin: 0 0 1em; font-size: ${pt(z.header)}; line-height: 1.25; }`,
    `.tk-header-text { margin-left: auto; }`,
    // The cover fills the text area of its page (never more: it would spill onto a second page).
    `.tk-cover { min-height: calc(297mm - ${pt(m.top + m.bottom)} - 3em); }`,
    `@media print { .tk-cover { min-height: calc(297mm - ${pt(m.top + m.bottom)} - 2px); } }`,
    `@media print { .tk-page { padding: 0; } @page { size: A4; margin: ${padding};`,
    `  @bottom-center { content: ${footer}; font-size: ${pt(z.footer)}; } } }`,
  ].join('\n');
  return `\n${css}\n`;
}

/** The header at the top of the preview: the logo inlined as a data URL, and the text. */
function houseHeader(style: HouseStyle): string {
  const hd = style.header;
  if (!hd) return '';
  const logo = hd.logo
    ? `<img class="tk-header-logo" alt="" style="width:${pt(hd.logo.widthPt)};height:${pt(hd.logo.heightPt)}" src="data:${hd.logo.format === 'svg' ? 'image/svg+xml' : 'image/png'};base64,${readFileSync(hd.logo.file).toString('base64')}">`
    : '';
  const text = hd.text ? `<span class="tk-header-text">${escapeHtml(hd.text)}</span>` : '';
  return `<header class="tk-header">${logo}${text}</header>\n`;
}

/** The document as an HTML fragment (one <article>), for embedding in the web preview. */
export function toHtmlFragment(doc: Document): string {
  const css = houseStyleCss(styleOf(doc)) + frontMatterCss(doc);
  return `${css ? `<style>${css}</style>\n` : ''}${articleOf(doc)}`;
}

function articleOf(doc: Document): string {
  const toc = flatBlocks(doc.children)
    .filter((b): b is Heading => b.type === 'heading')
    .map((node, i) => ({
      node,
      level: node.level,
      text: node.label + inlineText(node.children),
      anchor: `${doc.meta.id}-h${i + 1}`,
    }));
  return dispatch(handlers, doc, { style: styleOf(doc), toc });
}

export function toHtmlPage(doc: Document): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${doc.meta.cleanMetadata ? '' : '<meta name="generator" content="TenderKit">\n'}${(doc.meta.properties ?? []).map(([k, v]) => `<meta name="tenderkit:${escapeHtml(k)}" content="${escapeHtml(v)}">\n`).join('')}
<title>${escapeHtml(doc.meta.title)} — ${escapeHtml(doc.meta.subject)}</title>
<style>${STYLE}${houseStyleCss(styleOf(doc))}${frontMatterCss(doc)}</style>
</head>
<body>
${articleOf(doc)}
</body>
</html>
`;
}

export const htmlWriter: Writer = {
  format: 'html',
  async write(doc) {
    return Buffer.from(toHtmlPage(doc), 'utf8');
  },
};
