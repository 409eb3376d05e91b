// Test helpers: load examples, extract text from .docx and PDF the way a reader sees it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBidFile, loadBidText } from '../src/load/bid.js';
import type { BidParams } from '../src/schema/bid.js';
import { prepareBid, type PreparedBid } from '../src/prepare.js';
import { docxPart } from '../src/writers/docx/index.js';
import type { Server } from 'node:http';
import { afterAll } from 'vitest';
import { createApp } from '../src/server/app.js';
import type { RenderPool } from '../src/server/render-pool.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const EXAMPLES = ['hospital-his', 'highway-monitoring', 'dev-project-60m'] as const;

export function exampleFile(name: string): string {
  return path.join(ROOT, 'examples', `${name}.yaml`);
}

/** An example with its tender file loaded and deviations computed, ready to render. */
export function prepareExample(name: string): PreparedBid {
  return prepareBid(exampleFile(name), () => {});
}

/** An example's parameters without its tender reference (renders the letter and plan only). */
export function loadExample(name: string): BidParams {
  const r = loadBidFile(exampleFile(name));
  if (!r.ok) throw new Error(`example ${name} is invalid: ${JSON.stringify(r.diagnostics)}`);
  return { ...r.bid.params, tender: undefined };
}

/** Parses YAML text that must be valid; a tender reference is dropped (no folder to resolve it in). */
export function bidFromText(text: string): BidParams {
  const r = loadBidText(text, 'test.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics, null, 1));
  return { ...r.bid.params, tender: undefined };
}

/** XML text with its five predefined entities decoded. */
export const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Paragraph texts of word/document.xml, in order (tabs/breaks as whitespace), list markers first. */
export function docxParagraphs(
  buf: Buffer,
  { pageRefs = true }: { readonly pageRefs?: boolean } = {},
): string[] {
  let xml = docxPart(buf, 'word/document.xml');
  // The contents' page numbers are PAGEREF field results: left out on request.
  if (!pageRefs)
    xml = xml.replace(
      /(<w:instrText[^>]*>PAGEREF [^<]*<\/w:instrText><w:fldChar w:fldCharType="separate"\/>)<w:t(?: [^>]*)?>[^<]*<\/w:t>/g,
      '$1',
    );
  const paragraphs = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => m[0]);
  const markers = wordListMarkers(paragraphs, docxPart(buf, 'word/numbering.xml'));
  return paragraphs.map(
    (p, i) =>
      (markers[i] === undefined ? '' : `${markers[i]}\t`) +
      [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<w:br\/>/g)]
        .map((t) => (t[1] === undefined ? '\n' : decode(t[1])))
        .join(''),
  );
}

const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';

/**
 * The list marker Word draws before each paragraph (undefined: none), read the way Word reads
 * numbering: each w:num counts on its own per level from its startOverride (or the level's start),
 * a deeper level restarting after a shallower one; lvlText's %n is level n's count in its numFmt.
 */
export function wordListMarkers(paragraphs: readonly string[], numberingXml: string) {
  const attr = (x: string, el: string) => new RegExp(`<w:${el} w:val="([^"]*)"`).exec(x)?.[1];
  const abstracts = new Map<string, Map<number, { start: number; fmt: string; text: string }>>();
  for (const a of numberingXml.matchAll(
    /<w:abstractNum w:abstractNumId="(\d+)"[^>]*>([\s\S]*?)<\/w:abstractNum>/g,
  )) {
    const levels = new Map<number, { start: number; fmt: string; text: string }>();
    for (const l of a[2]!.matchAll(/<w:lvl w:ilvl="(\d+)"[^>]*>([\s\S]*?)<\/w:lvl>/g))
      levels.set(Number(l[1]), {
        start: Number(attr(l[2]!, 'start') ?? 0),
        fmt: attr(l[2]!, 'numFmt') ?? 'decimal',
        text: decode(attr(l[2]!, 'lvlText') ?? ''),
      });
    abstracts.set(a[1]!, levels);
  }
  const nums = new Map<string, { abstract: string; starts: Map<number, number> }>();
  for (const n of numberingXml.matchAll(/<w:num w:numId="(\d+)"[^>]*>([\s\S]*?)<\/w:num>/g)) {
    const starts = new Map<number, number>();
    for (const o of n[2]!.matchAll(
      /<w:lvlOverride w:ilvl="(\d+)">[\s\S]*?<w:startOverride w:val="(\d+)"/g,
    ))
      starts.set(Number(o[1]), Number(o[2]));
    nums.set(n[1]!, { abstract: attr(n[2]!, 'abstractNumId')!, starts });
  }
  const counters = new Map<string, number[]>();
  const format = (fmt: string, n: number) =>
    fmt === 'decimalEnclosedCircle' && n >= 1 && n <= 20 ? CIRCLED[n - 1]! : String(n);
  return paragraphs.map((p) => {
    const numPr = /<w:numPr><w:ilvl w:val="(\d+)"\/><w:numId w:val="(\d+)"\/><\/w:numPr>/.exec(p);
    if (!numPr) return undefined;
    const [, ilvl, numId] = numPr;
    const level = Number(ilvl);
    const num = nums.get(numId!);
    const levels = num && abstracts.get(num.abstract);
    const lvl = levels?.get(level);
    if (!num || !levels || !lvl) return undefined;
    const count = counters.get(numId!) ?? [];
    const startOf = (l: number) => num.starts.get(l) ?? levels.get(l)?.start ?? 1;
    count[level] = count[level] === undefined ? startOf(level) : count[level]! + 1;
    count.length = level + 1;
    counters.set(numId!, count);
    if (lvl.fmt === 'bullet') return lvl.text;
    return lvl.text.replace(/%(\d)/g, (_m, k: string) => {
      const l = Number(k) - 1;
      return format(levels.get(l)?.fmt ?? 'decimal', count[l] ?? startOf(l));
    });
  });
}

/** pdftotext in content-stream order, one string per page. */
export function pdfPages(buf: Buffer): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-pdf-'));
  try {
    const f = path.join(dir, 'x.pdf');
    writeFileSync(f, buf);
    const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', f, '-'], { encoding: 'utf8' });
    return text.split('\f').filter((p, i, all) => i < all.length - 1 || p.trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const squash = (s: string) => s.replace(/\s+/g, '');

/** Starts the web app on a free loopback port with its data in `dataDir`. */
export async function startApp(dataDir: string, pool: RenderPool) {
  const { app, store } = createApp({ dataDir, pool });
  await store.open();
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const addr = server.address();
  return {
    server,
    store,
    base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
  };
}

/**
 * A maker of temporary folders for one test file, all removed after its tests (call at the top
 * level of the file): `const temp = tempFolders(); const dir = temp('tk-x-');`.
 */
export function tempFolders(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return (prefix) => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(d);
    return d;
  };
}
