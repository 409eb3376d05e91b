// PNG of a figure's SVG for Word, rendered by resvg (installed from npm) at print resolution.
// The SVG's text is glyph outlines, so no fonts are needed here.
//
// Encoding: resvg's own PNG (`asPng()`: 8-bit RGBA) takes longer than drawing the picture (1.3 to
// 2 times). A figure is opaque (it paints its white background first) and, antialiasing included,
// has at most a few hundred colours; when it has at most 256, it is written here as an indexed PNG
// (a palette and one byte a pixel, deflated by Node's zlib): exactly the same pixels, in less time
// and half the bytes. Anything else (more colours, any transparency: a house-style logo) keeps
// resvg's PNG.
//
// Cached: in this process (the same figure in many documents is rendered once), and — in a process
// that asked for it (`keepFiguresOnDisk`: the CLI's `build`, not the web server, which renders many
// people's bids) — on disk in the user's cache folder. A figure shows values of the bid (the
// service team's names in the organisation chart), so this is the one part of the cache that holds
// bid content, as pixels; README says so. On disk: src/library/cache.ts `figures-1/`, private to the user, checksummed,
// written whole then renamed, the 200 written last kept, `TENDERKIT_CACHE=off` honoured), so a
// later build of the same figure reads its PNG instead of rendering it. An entry is named by the
// SHA-256 of the SVG with everything that decides the PNG's bytes: the format below, this module's
// own code, resvg's version, Node's zlib version and the platform, and the resolution. An entry
// that fails any check (checksum, key, PNG signature and size) is ignored and the PNG rendered
// again: the bytes are the same with the cache or without.
import type * as ResvgJs from '@resvg/resvg-js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { binaryCacheGet, binaryCachePut, packageVersion } from '../library/cache.js';

export const PRINT_DPI = 300;
/** The disk cache's folder; its entries' format (bump when the PNG written changes). */
export const FIGURE_CACHE = 'figures-1';
const FORMAT = 'tenderkit-figure-png-1';
/** Figures kept on disk: a bid has 3–4; the figures of the last few dozen builds. */
const FIGURES_KEPT = 200;

const require = createRequire(import.meta.url);
type ResvgModule = typeof ResvgJs;
let resvgModule: ResvgModule | undefined;
/** resvg, loaded when a figure is first rendered (not by a build whose figures are all cached). */
const resvg = (): ResvgModule => (resvgModule ??= require('@resvg/resvg-js') as ResvgModule);

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

let salt: string | null | undefined;
/** What every disk key is salted with; null when it cannot be known (no disk cache). */
function keySalt(): string | null {
  if (salt !== undefined) return salt;
  try {
    const here = fileURLToPath(import.meta.url);
    // dist/figures/raster.js; from the bundle (dist/bundle/cli.js) the same file; the .ts in tests.
    const ext = path.extname(here);
    const source = readFileSync(path.join(path.dirname(here), '..', 'figures', `raster${ext}`));
    salt = sha256(
      [
        FORMAT,
        sha256(source),
        `@resvg/resvg-js@${packageVersion(require, '@resvg/resvg-js')}`,
        `zlib@${process.versions.zlib}`,
        `${process.platform}-${process.arch}`,
        `dpi=${PRINT_DPI}`,
      ].join('\0'),
    );
  } catch {
    salt = null;
  }
  return salt;
}

/** The disk cache's key for a figure's SVG (tests look its entry up). */
export function figureCacheKey(svg: string): string | undefined {
  const s = keySalt();
  return s ? sha256(`${s}\0${sha256(svg)}`) : undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG: its signature, then its header chunk (13 bytes) with a width and height. */
function looksLikePng(b: Buffer): boolean {
  return (
    b.length > 45 &&
    b.subarray(0, 8).equals(PNG_SIGNATURE) &&
    b.readUInt32BE(8) === 13 &&
    b.toString('latin1', 12, 16) === 'IHDR' &&
    b.readUInt32BE(16) > 0 &&
    b.readUInt32BE(20) > 0
  );
}

const memory = new Map<string, Buffer>();
/** Counts for this process (tests read them). */
export const figureCacheStats = { rendered: 0, fromDisk: 0 };

let onDisk = false;

/** Keeps figure PNGs in the user's cache folder from now on in this process (the CLI's build). */
export function keepFiguresOnDisk(on = true): void {
  onDisk = on;
}

export function figurePng(svg: string): Buffer {
  const id = sha256(svg);
  let png = memory.get(id);
  if (png) return png;
  const key = onDisk ? figureCacheKey(svg) : undefined;
  const cached = key ? binaryCacheGet(FIGURE_CACHE, key) : undefined;
  if (cached && looksLikePng(cached)) {
    png = cached;
    figureCacheStats.fromDisk++;
  } else {
    png = renderPng(svg);
    figureCacheStats.rendered++;
    if (key) binaryCachePut(FIGURE_CACHE, key, png, FIGURES_KEPT);
  }
  memory.set(id, png);
  if (memory.size > 32) memory.delete(memory.keys().next().value!);
  return png;
}

/** The PNG of an SVG at PRINT_DPI, as the cache holds it. */
export function renderPng(svg: string): Buffer {
  const image = new (resvg().Resvg)(svg, {
    fitTo: { mode: 'zoom', value: PRINT_DPI / 72 },
    font: { loadSystemFonts: false },
  }).render();
  return indexedPng(image.pixels, image.width, image.height) ?? image.asPng();
}

/**
 * An indexed-colour PNG of an opaque image of at most 256 colours (`rgba`: 8-bit RGBA, as resvg
 * gives it; opaque, so premultiplied and straight alpha agree), else undefined. The palette in
 * order of first appearance, no filter (what the PNG specification recommends for indexed images),
 * deflated at level 3: a quarter of the default level's time for 20% more bytes (half resvg's).
 */
export function indexedPng(rgba: Buffer, width: number, height: number): Buffer | undefined {
  if (rgba.length !== width * height * 4) return undefined;
  const bytes = rgba.byteOffset % 4 ? Buffer.from(rgba) : rgba;
  const pixels = new Uint32Array(bytes.buffer, bytes.byteOffset, width * height);
  const slots = new Map<number, number>();
  const palette = Buffer.alloc(256 * 3);
  const rows = Buffer.allocUnsafe(height * (width + 1));
  const stride = width * 4;
  let last = -1;
  let slot = 0;
  let at = 0;
  let i = 0;
  for (let y = 0; y < height; y++) {
    rows[at++] = 0; // filter: none
    // About half a figure's rows repeat the row above (white space, the inside of boxes).
    if (y > 0 && bytes.compare(bytes, i * 4 - stride, i * 4, i * 4, i * 4 + stride) === 0) {
      rows.copyWithin(at, at - width - 1, at - 1);
      at += width;
      i += width;
      continue;
    }
    for (const end = i + width; i < end; i++) {
      const colour = pixels[i]!;
      if (colour !== last) {
        let s = slots.get(colour);
        if (s === undefined) {
          if (bytes[4 * i + 3] !== 255 || slots.size === 256) return undefined;
          s = slots.size;
          slots.set(colour, s);
          bytes.copy(palette, 3 * s, 4 * i, 4 * i + 3);
        }
        last = colour;
        slot = s;
      }
      rows[at++] = slot;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 3; // colour type: indexed
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('PLTE', palette.subarray(0, 3 * slots.size)),
    chunk('IDAT', deflateSync(rows, { level: 3 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
