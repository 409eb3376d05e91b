// The figures' PNGs for Word (src/figures/raster.ts): the indexed PNG written here has exactly the
// pixels resvg drew (and its own PNG holds); the disk cache (`figures-1/`) gives the same .docx
// bytes cold, warm and off, and an entry that is corrupted, truncated, not a PNG or another
// figure's is ignored and rewritten. In this process, then through the real CLI process.
import type * as ResvgJs from '@resvg/resvg-js';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { renderAll } from '../src/build.js';
import {
  FIGURE_CACHE,
  figureCacheKey,
  figureCacheStats,
  figurePng,
  indexedPng,
  keepFiguresOnDisk,
  PRINT_DPI,
  renderPng,
} from '../src/figures/raster.js';
import type { Block, Figure } from '../src/ir/types.js';
import { binaryCacheGet, binaryCachePut } from '../src/library/cache.js';
import { EXAMPLES, prepareExample, ROOT, tempFolders } from './helpers.js';

const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof ResvgJs;
const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

const temp = tempFolders();
const saved = { xdg: process.env.XDG_CACHE_HOME, off: process.env.TENDERKIT_CACHE };
afterEach(() => {
  for (const [k, v] of [
    ['XDG_CACHE_HOME', saved.xdg],
    ['TENDERKIT_CACHE', saved.off],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});
/** A fresh, empty cache home for this process; the figures' folder in it. */
function freshCache(): string {
  const home = temp('tk-fig-cache-');
  process.env.XDG_CACHE_HOME = home;
  delete process.env.TENDERKIT_CACHE;
  return path.join(home, 'tenderkit', FIGURE_CACHE);
}

/** Every figure of the examples' documents. */
const figures: Figure[] = (() => {
  const out: Figure[] = [];
  const walk = (blocks: readonly Block[]) => {
    for (const b of blocks) {
      if (b.type === 'figure') out.push(b);
      if ('children' in b && Array.isArray(b.children)) walk(b.children as Block[]);
    }
  };
  for (const name of EXAMPLES) {
    const bid = prepareExample(name);
    for (const doc of renderAll(bid.params, undefined, bid.extra)) walk(doc.children);
  }
  return out;
})();

/**
 * A PNG's pixels as 8-bit RGBA (the decoder a reader runs): 8-bit indexed or RGBA, not
 * interlaced, any of the five row filters. Checks every chunk's CRC.
 */
function decodePng(png: Buffer): { width: number; height: number; rgba: Buffer; type: number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let at = 8;
  let width = 0;
  let height = 0;
  let type = -1;
  let palette = Buffer.alloc(0);
  const idat: Buffer[] = [];
  for (;;) {
    const len = png.readUInt32BE(at);
    const name = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    const crc = png.readUInt32BE(at + 8 + len);
    expect(crc, `${name} CRC`).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    at += 12 + len;
    if (name === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      type = data[9]!;
      expect([data[8], data[12]]).toEqual([8, 0]); // 8 bits, not interlaced
      expect([3, 6]).toContain(type);
    } else if (name === 'PLTE') palette = Buffer.from(data);
    else if (name === 'IDAT') idat.push(Buffer.from(data));
    else if (name === 'IEND') break;
  }
  const bpp = type === 6 ? 4 : 1;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  expect(raw.length).toBe(height * (stride + 1));
  const rows = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    if (filter > 4) throw new Error(`row ${y}: filter ${filter}`);
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[row + y + 1 + x]!;
      const a = x >= bpp ? rows[row + x - bpp]! : 0;
      const b = y > 0 ? rows[row - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? rows[row - stride + x - bpp]! : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      rows[row + x] = (v + predicted) & 255;
    }
  }
  if (type === 6) return { width, height, rgba: rows, type };
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = rows[i]!;
    if (3 * s + 3 > palette.length) throw new Error(`pixel ${i}: colour ${s} not in the palette`);
    palette.copy(rgba, 4 * i, 3 * s, 3 * s + 3);
    rgba[4 * i + 3] = 255;
  }
  return { width, height, rgba, type };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const draw = (svg: string) =>
  new Resvg(svg, {
    fitTo: { mode: 'zoom', value: PRINT_DPI / 72 },
    font: { loadSystemFonts: false },
  }).render();

describe('the PNG of a figure', () => {
  it('has exactly the pixels resvg drew, as resvg’s own PNG does, in fewer bytes', () => {
    expect(figures.length).toBeGreaterThanOrEqual(9);
    let ours = 0;
    let theirs = 0;
    for (const f of figures) {
      const image = draw(f.svg);
      const png = renderPng(f.svg);
      const mine = decodePng(png);
      const resvgs = decodePng(image.asPng());
      expect(mine.type, f.id).toBe(3); // indexed
      expect([mine.width, mine.height]).toEqual([image.width, image.height]);
      // 300 dpi: the figure's width in points at 300/72 pixels a point (resvg rounds up).
      expect(Math.abs(mine.width - (f.width * PRINT_DPI) / 72)).toBeLessThan(1);
      expect(mine.rgba.equals(image.pixels), f.id).toBe(true);
      expect(resvgs.rgba.equals(image.pixels), f.id).toBe(true);
      ours += png.length;
      theirs += image.asPng().length;
    }
    expect(ours).toBeLessThan(theirs * 0.6);
  });

  it('is resvg’s own PNG when the picture has transparency or more than 256 colours', () => {
    const clear =
      '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="10" height="10" fill="#c00"/></svg>';
    const gradient =
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20"><defs><linearGradient id="g">' +
      '<stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#4af"/></linearGradient></defs>' +
      '<rect width="200" height="20" fill="url(#g)"/></svg>';
    for (const svg of [clear, gradient]) {
      const image = draw(svg);
      expect(indexedPng(image.pixels, image.width, image.height)).toBeUndefined();
      expect(renderPng(svg).equals(image.asPng())).toBe(true);
      expect(decodePng(renderPng(svg)).type).toBe(6);
    }
    // Exactly 256 opaque colours is still indexed, with the same pixels.
    const rgba = Buffer.alloc(256 * 3 * 4);
    for (let i = 0; i < 256 * 3; i++)
      rgba.writeUInt32BE(((((i % 256) * 0x010305) << 8) | 255) >>> 0, 4 * i);
    const png = indexedPng(rgba, 256, 3)!;
    expect(decodePng(png)).toMatchObject({ type: 3, width: 256, height: 3 });
    expect(decodePng(png).rgba.equals(rgba)).toBe(true);
    rgba.writeUInt32BE(0x123456ff, 0);
    expect(indexedPng(rgba, 256, 3)).toBeUndefined(); // 257 colours
  });

  it('is the same bytes every time', () => {
    const f = figures[0]!;
    expect(renderPng(f.svg).equals(renderPng(f.svg))).toBe(true);
  });
});

/** A figure this process has not yet asked for (the in-process cache does not answer). */
let variant = 0;
const unseen = (svg: string) => svg.replace('</svg>', `<!-- ${process.pid}-${++variant} --></svg>`);

describe('the disk cache, in this process', () => {
  it('is not used unless the process asks for it (the web server never does)', () => {
    keepFiguresOnDisk(false);
    const dir = freshCache();
    const svg = unseen(figures[0]!.svg);
    const before = { ...figureCacheStats };
    expect(figurePng(svg).equals(renderPng(svg))).toBe(true);
    expect(figureCacheStats.rendered - before.rendered).toBe(1);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('renders a figure once, then reads it; off writes nothing', () => {
    keepFiguresOnDisk();
    const dir = freshCache();
    const svg = unseen(figures[1]!.svg);
    const before = { ...figureCacheStats };
    const cold = figurePng(svg);
    expect(figureCacheStats.rendered - before.rendered).toBe(1);
    const key = figureCacheKey(svg)!;
    const file = path.join(dir, `${key}.bin`);
    expect(readdirSync(dir)).toEqual([`${key}.bin`]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(binaryCacheGet(FIGURE_CACHE, key)?.equals(cold)).toBe(true);
    expect(cold.equals(renderPng(svg))).toBe(true);

    // Another process (a new in-process cache): from disk, the same bytes.
    const again = unseen(figures[1]!.svg);
    const key2 = figureCacheKey(again)!;
    binaryCachePut(FIGURE_CACHE, key2, cold);
    const b2 = { ...figureCacheStats };
    expect(figurePng(again).equals(cold)).toBe(true);
    expect(figureCacheStats.fromDisk - b2.fromDisk).toBe(1);
    expect(figureCacheStats.rendered - b2.rendered).toBe(0);

    process.env.TENDERKIT_CACHE = 'off';
    const offHome = freshCache();
    process.env.TENDERKIT_CACHE = 'off';
    const svg3 = unseen(figures[2]!.svg);
    expect(figurePng(svg3).equals(renderPng(svg3))).toBe(true);
    expect(existsSync(path.dirname(offHome))).toBe(false);
  });

  it('ignores a corrupted, truncated, non-PNG or foreign entry and renders the PNG again', () => {
    const dir = freshCache();
    const svg = figures[3]!.svg;
    const right = renderPng(svg);
    const other = renderPng(figures[4]!.svg);
    const breakers: [string, (file: string, key: string) => void][] = [
      [
        'a byte flipped',
        (file) => {
          const b = readFileSync(file);
          b[b.length - 100]! ^= 1;
          writeFileSync(file, b, { mode: 0o600 });
        },
      ],
      [
        'truncated',
        (file) => writeFileSync(file, readFileSync(file).subarray(0, 500), { mode: 0o600 }),
      ],
      [
        'sealed, not a PNG',
        (_file, key) => binaryCachePut(FIGURE_CACHE, key, Buffer.from('not a png'.repeat(10))),
      ],
      [
        'another key’s entry',
        (file) => {
          binaryCachePut(FIGURE_CACHE, 'f'.repeat(64), other);
          writeFileSync(file, readFileSync(path.join(dir, `${'f'.repeat(64)}.bin`)), {
            mode: 0o600,
          });
        },
      ],
    ];
    for (const [what, breakIt] of breakers) {
      const s = unseen(svg);
      const key = figureCacheKey(s)!;
      const file = path.join(dir, `${key}.bin`);
      binaryCachePut(FIGURE_CACHE, key, right);
      breakIt(file, key);
      const before = { ...figureCacheStats };
      expect(figurePng(s).equals(right), what).toBe(true);
      expect(figureCacheStats.rendered - before.rendered, what).toBe(1);
      // Rewritten whole.
      expect(binaryCacheGet(FIGURE_CACHE, key)?.equals(right), what).toBe(true);
    }
  });

  it('keeps the entries written last', () => {
    const dir = freshCache();
    const keys = Array.from({ length: 5 }, (_, i) => sha(`k${i}`));
    keys.forEach((k, i) => {
      binaryCachePut('figures-test', k, Buffer.from(`v${i}`), 3);
      const file = path.join(path.dirname(dir), 'figures-test', `${k}.bin`);
      utimesSync(file, 1_000_000 + i, 1_000_000 + i);
    });
    binaryCachePut('figures-test', sha('last'), Buffer.from('last'), 3);
    expect(readdirSync(path.join(path.dirname(dir), 'figures-test')).sort()).toEqual(
      [sha('last'), keys[4], keys[3]].map((k) => `${k}.bin`).sort(),
    );
  });
});

describe('the disk cache, through the CLI', () => {
  const home = temp('tk-fig-cli-');
  mkdirSync(path.join(home, 'xdg'), { mode: 0o700 });
  const dir = path.join(home, 'xdg', 'tenderkit', FIGURE_CACHE);
  let run = 0;
  /** One `build --format docx` of the highway example: every .docx by name. */
  function build(env: Record<string, string> = {}): Map<string, Buffer> {
    const out = path.join(home, `out-${++run}`);
    const r = spawnSync(
      process.execPath,
      [BIN, 'build', 'examples/highway-monitoring.yaml', '--format', 'docx', '--out', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, XDG_CACHE_HOME: path.join(home, 'xdg'), ...env },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const docs = readdirSync(out).filter((f) => f.endsWith('.docx'));
    expect(docs.length).toBeGreaterThanOrEqual(3);
    return new Map(docs.map((f) => [f, readFileSync(path.join(out, f))]));
  }
  /** The cache's entries: file name → [payload, whether its seal is intact]. */
  function entries(): Map<string, { png: Buffer; sealed: boolean; ino: number }> {
    return new Map(
      readdirSync(dir)
        .filter((f) => f.endsWith('.bin'))
        .map((f) => {
          const b = readFileSync(path.join(dir, f));
          const sealed =
            b.toString('latin1', 65, 129) === f.slice(0, 64) &&
            sha(b.subarray(65)) === b.toString('latin1', 0, 64);
          return [f, { png: b.subarray(130), sealed, ino: statSync(path.join(dir, f)).ino }];
        }),
    );
  }
  const media = (docs: Map<string, Buffer>) =>
    new Set(
      [...docs.values()].flatMap((d) =>
        Object.entries(unzipSync(d))
          .filter(([n]) => n.startsWith('word/media/'))
          .map(([, v]) => sha(Buffer.from(v))),
      ),
    );
  const same = (a: Map<string, Buffer>, b: Map<string, Buffer>) => {
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [f, bytes] of a) expect(b.get(f)!.equals(bytes), f).toBe(true);
  };

  it('gives the same .docx bytes cold, warm, off and after broken entries', () => {
    const cold = build();
    const first = entries();
    // The highway example's four figures, each a PNG in some .docx, nothing else cached.
    expect(first.size).toBe(4);
    expect([...first.values()].every((e) => e.sealed)).toBe(true);
    expect(new Set([...first.values()].map((e) => sha(e.png)))).toEqual(media(cold));
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    same(cold, build()); // warm
    // Read, not rewritten.
    expect([...entries()].map(([f, e]) => [f, e.ino])).toEqual(
      [...first].map(([f, e]) => [f, e.ino]),
    );
    same(cold, build({ TENDERKIT_CACHE: 'off' }));
    same(cold, build({ TENDERKIT_BUNDLE: 'off' })); // from dist/: the same entries

    // Broken four ways: a byte flipped, cut short, sealed but not a PNG, another figure's entry.
    const [a, b, c, d] = [...first.keys()].map((f) => path.join(dir, f));
    const original = readFileSync(a!);
    const flipped = Buffer.from(original);
    flipped[flipped.length - 1]! ^= 0x40;
    writeFileSync(a!, flipped);
    writeFileSync(b!, readFileSync(b!).subarray(0, 200));
    const junk = Buffer.concat([Buffer.from(`${path.basename(c!, '.bin')}\n`), Buffer.alloc(99)]);
    writeFileSync(c!, Buffer.concat([Buffer.from(`${sha(junk)}\n`), junk]));
    writeFileSync(d!, original); // whole and sealed, but figure a's entry
    same(cold, build());
    const rewritten = entries();
    for (const [f, e] of first) {
      expect(rewritten.get(f)!.sealed, f).toBe(true);
      expect(rewritten.get(f)!.png.equals(e.png), f).toBe(true);
    }
  }, 240_000);

  it('uses a sealed entry as it is (the cache is read, not just written)', () => {
    const cold = media(build());
    const first = entries();
    expect(first.size).toBe(4);
    const [x, y] = [...first.keys()];
    // Figure y's entry, sealed, holding figure x's PNG: the build takes it.
    const rest = Buffer.concat([Buffer.from(`${y!.slice(0, 64)}\n`), first.get(x!)!.png]);
    writeFileSync(path.join(dir, y!), Buffer.concat([Buffer.from(`${sha(rest)}\n`), rest]));
    const planted = media(build());
    expect(planted.has(sha(first.get(y!)!.png))).toBe(false);
    expect(planted).toEqual(new Set([...cold].filter((m) => m !== sha(first.get(y!)!.png))));
    rmSync(dir, { recursive: true });
  }, 120_000);
});
