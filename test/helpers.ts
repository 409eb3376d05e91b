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

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Paragraph texts of word/document.xml, in order (tabs/breaks as whitespace). */
export function docxParagraphs(buf: Buffer): string[] {
  const xml = docxPart(buf, 'word/document.xml');
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) =>
    [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<w:br\/>/g)]
      .map((t) => (t[1] === undefined ? '\n' : decode(t[1])))
      .join(''),
  );
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
