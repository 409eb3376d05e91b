// What a cold `lint` looks up once instead of at import or on every call (issue 15): the cache
// folder (kept for the environment variables it reads), the parsing libraries' versions (read from
// their package.json in node_modules), the built-in fonts' paths (found on first use), and the word
// breaks of a figure label (ICU's only when the figure is really drawn). Each answer must be the
// one the slower way gives.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cacheFolder, packageVersion } from '../src/library/cache.js';
import { FONT_FILES, FONT_KEYS, TYPO_METRICS } from '../src/fonts/files.js';
import { withoutOutlines, words } from '../src/figures/svg.js';
import { ROOT } from './helpers.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const saved = {
  XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
  TENDERKIT_CACHE: process.env.TENDERKIT_CACHE,
  HOME: process.env.HOME,
};
afterEach(() => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

describe('the cache folder', () => {
  it('follows XDG_CACHE_HOME, HOME and TENDERKIT_CACHE as they change within a process', () => {
    const a = mkdtempSync(path.join(os.tmpdir(), 'tk-xdg-a-'));
    const b = mkdtempSync(path.join(os.tmpdir(), 'tk-xdg-b-'));
    made.push(a, b);
    delete process.env.TENDERKIT_CACHE;
    process.env.XDG_CACHE_HOME = a;
    expect(cacheFolder()).toBe(path.join(a, 'tenderkit', 'library-1'));
    expect(cacheFolder('code-1')).toBe(path.join(a, 'tenderkit', 'code-1'));
    process.env.XDG_CACHE_HOME = b;
    expect(cacheFolder()).toBe(path.join(b, 'tenderkit', 'library-1'));
    process.env.TENDERKIT_CACHE = 'off';
    expect(cacheFolder()).toBeUndefined();
    expect(cacheFolder('code-1')).toBeUndefined();
    process.env.TENDERKIT_CACHE = '';
    expect(cacheFolder()).toBe(path.join(b, 'tenderkit', 'library-1'));
    // A relative XDG_CACHE_HOME is ignored: ~/.cache, from HOME.
    process.env.XDG_CACHE_HOME = 'relative/cache';
    process.env.HOME = a;
    expect(cacheFolder()).toBe(path.join(a, '.cache', 'tenderkit', 'library-1'));
    process.env.HOME = b;
    expect(cacheFolder()).toBe(path.join(b, '.cache', 'tenderkit', 'library-1'));
    process.env.XDG_CACHE_HOME = a;
    expect(cacheFolder()).toBe(path.join(a, 'tenderkit', 'library-1'));
  });
});

/** The version the way it was found before: the package.json above the package's entry point. */
function versionFromEntry(name: string): string {
  const require = createRequire(path.join(ROOT, 'src', 'library', 'cache.ts'));
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return String(pkg.version);
    }
    dir = path.dirname(dir);
  }
}

describe('package versions in the cache key', () => {
  it.each([
    'nunjucks',
    'yaml',
    'zod',
    'micromark',
    'mdast-util-from-markdown',
    'micromark-extension-gfm-table',
    '@resvg/resvg-js',
  ])('%s: the version above its entry point', (name) => {
    const require = createRequire(path.join(ROOT, 'src', 'library', 'cache.ts'));
    const v = packageVersion(require, name);
    expect(v).toMatch(/^\d+\.\d+\.\d+/);
    expect(v).toBe(versionFromEntry(name));
  });

  it('an unknown package is an error, not a guess', () => {
    const require = createRequire(path.join(ROOT, 'src', 'library', 'cache.ts'));
    expect(() => packageVersion(require, 'tenderkit-no-such-package')).toThrow();
  });
});

describe('the built-in font files', () => {
  it('are the files in the installed font packages, found on first use', () => {
    const require = createRequire(path.join(ROOT, 'src', 'fonts', 'files.ts'));
    const root = (pkg: string) => {
      let dir = path.dirname(require.resolve(pkg));
      while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
      return dir;
    };
    const serif = root('@expo-google-fonts/noto-serif-sc');
    const sans = root('@expo-google-fonts/noto-sans-sc');
    expect({ ...FONT_FILES }).toEqual({
      serifRegular: path.join(serif, '400Regular/NotoSerifSC_400Regular.ttf'),
      serifBold: path.join(serif, '700Bold/NotoSerifSC_700Bold.ttf'),
      sansRegular: path.join(sans, '400Regular/NotoSansSC_400Regular.ttf'),
      sansBold: path.join(sans, '700Bold/NotoSansSC_700Bold.ttf'),
    });
    expect(Object.keys(FONT_FILES)).toEqual(FONT_KEYS);
    for (const f of Object.values(FONT_FILES)) expect(realpathSync(f)).toBe(f);
    expect(FONT_KEYS.filter((k) => TYPO_METRICS.has(FONT_FILES[k]))).toEqual([
      'sansRegular',
      'sansBold',
    ]);
    expect(TYPO_METRICS.has(path.join(ROOT, 'test/fixtures/style/wqy-microhei-subset.ttf'))).toBe(
      false,
    );
  });
});

describe('word breaks of figure labels', () => {
  it('are ICU’s words when drawn, characters and Latin words in a sketch', () => {
    // No punctuation here: the pieces are ICU's words as they are (whatever ICU version Node has).
    const text = '外场维护工程师负责高速公路监控系统';
    const icu = Array.from(
      new Intl.Segmenter('zh-CN', { granularity: 'word' }).segment(text),
      (s) => s.segment,
    );
    expect(words(text)).toEqual(icu);
    expect(icu.some((w) => w.length > 1)).toBe(true);
    expect(withoutOutlines(() => words('外场维护（SLA 2h）。'))).toEqual([
      '外',
      '场',
      '维',
      '护',
      '（SLA ',
      '2h）。',
    ]);
    expect(withoutOutlines(() => words(text))).toEqual([...text]);
    // Drawn again afterwards: ICU's words again.
    expect(words(text)).toEqual(icu);
  });

  it('lint and explain never load ICU’s word breaks (figures are only sketched)', () => {
    // Intl.Segmenter is replaced by one that fails: the commands must not construct it.
    const preload = `globalThis.Intl.Segmenter = class { constructor() { throw new Error('Intl.Segmenter used'); } };`;
    for (const args of [
      ['lint', 'examples/highway-monitoring.yaml'],
      ['lint', '--format', 'json', 'examples/hospital-his.yaml'],
      ['explain', 'examples/dev-project-60m.yaml'],
    ]) {
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          `data:text/javascript,${encodeURIComponent(preload)}`,
          'bin/tenderkit.js',
          ...args,
        ],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TENDERKIT_DEBUG: '' } },
      );
      expect(r.stderr, args.join(' ')).not.toContain('Intl.Segmenter used');
      expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    }
  });
});
