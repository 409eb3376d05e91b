// An outside tester's attacks on the PDF thread (README “Third pass on issue 15”) and on the
// built-in fonts read in part (src/fonts/sparse.ts), through the real CLI process on real folders.
//
// Each break found was fixed; every test here stays as a regression test.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageWithOwnSerif, zeroTable } from './damaged-font.js';
import { ROOT } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-outside-threads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CACHE = path.join(tmp, 'cache');
const HIGHWAY = path.join(ROOT, 'examples', 'highway-monitoring.yaml');
const TENDER = path.join(ROOT, 'examples', 'highway-tender.yaml');

function cli(args: string[], env: Record<string, string> = {}, cwd = tmp, bin = BIN) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: CACHE, ...env },
    timeout: 120_000,
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** Every file under `dir` (relative path → base64 bytes), folders as `/`. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    out[path.relative(dir, p)] = e.isDirectory() ? '/' : readFileSync(p).toString('base64');
  }
  return out;
}

/** stderr without the progress lines (their order differs between one thread and two). */
const problems = (err: string) =>
  err
    .split('\n')
    .filter((l) => !/^\[\d+\/\d+\] /.test(l))
    .join('\n');

/** A folder holding a copy of the highway example and its tender file, `edit`ed. */
function highwayCopy(name: string, edit: (bid: string, tender: string) => [string, string]) {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const [bid, tender] = edit(readFileSync(HIGHWAY, 'utf8'), readFileSync(TENDER, 'utf8'));
  writeFileSync(path.join(dir, 'highway-monitoring.yaml'), bid);
  writeFileSync(path.join(dir, 'highway-tender.yaml'), tender);
  return dir;
}

describe('the PDF thread gives what one thread gives', () => {
  it('a workspace house style with its own PDF font, in two time zones', () => {
    const ws = path.join(tmp, 'ws');
    expect(cli(['init', ws]).code).toBe(0);
    mkdirSync(path.join(ws, 'fonts'));
    mkdirSync(path.join(ws, 'images'));
    cpSync(
      path.join(ROOT, 'test/fixtures/style/wqy-microhei-subset.ttf'),
      path.join(ws, 'fonts/wqy.ttf'),
    );
    cpSync(path.join(ROOT, 'test/fixtures/style/logo.svg'), path.join(ws, 'images/logo.svg'));
    writeFileSync(
      path.join(ws, 'tenderkit.yaml'),
      readFileSync(path.join(ws, 'tenderkit.yaml'), 'utf8') +
        [
          'style:',
          '  fonts:',
          '    body: { chinese: 微米黑, pdf: fonts/wqy.ttf }',
          '    heading: { pdf: noto-serif-sc }',
          '  sizes: { body: 四号, heading1: 三号 }',
          '  lineSpacing: 28pt',
          '  header:',
          '    text: 长沙智行交通科技股份有限公司',
          '    logo: { file: images/logo.svg, width: 24mm }',
          '  footer: 第 {page} 页 共 {pages} 页',
          '',
        ].join('\n'),
    );
    cpSync(HIGHWAY, path.join(ws, 'bids/highway-monitoring.yaml'));
    cpSync(TENDER, path.join(ws, 'bids/highway-tender.yaml'));
    const build = (out: string, env: Record<string, string>) => {
      const r = cli(
        ['build', 'bids/highway-monitoring.yaml', '--out', out, '--format', 'pdf,docx,html'],
        env,
        ws,
      );
      expect(r.code, r.err).toBe(0);
      return { files: snapshot(path.join(ws, out)), out: r.out };
    };
    const one = build('one', { TENDERKIT_THREADS: '0', TZ: 'UTC' });
    const two = build('two', { TENDERKIT_THREADS: '1', TZ: 'Asia/Shanghai' });
    expect(Object.keys(one.files)).toHaveLength(13);
    expect(two.files).toEqual(one.files);
    expect(two.out.replaceAll('two/', '')).toBe(one.out.replaceAll('one/', ''));
    expect(cli(['verify', 'two'], {}, ws).code).toBe(0);
  });

  // Two documents each with a character the PDF font lacks (a training module only in 培训方案, a
  // tender requirement only in 偏离表). The main thread takes back 偏离表's PDF (the last first)
  // and meets its problem first; the build still reports both, in the order of the files, as one
  // thread does (it once reported whichever it met first).
  it('two failing documents: the same error either way', () => {
    const dir = highwayCopy('two-bad', (bid, tender) => [
      bid.replace('content: 视频监控、', 'content: 视频监控𓀂、'),
      tender.replace('A 类问题响应时间小于', 'A 类问题响应时间𓀃小于'),
    ]);
    const bid = path.join(dir, 'highway-monitoring.yaml');
    const one = cli(['build', bid, '--out', path.join(dir, 'one')], { TENDERKIT_THREADS: '0' });
    const two = cli(['build', bid, '--out', path.join(dir, 'two')], { TENDERKIT_THREADS: '1' });
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    expect(problems(one.err)).toMatch(/U\+13002[^]*U\+13003/);
    expect(existsSync(path.join(dir, 'one'))).toBe(false);
    expect(existsSync(path.join(dir, 'two'))).toBe(false);
    expect(problems(two.err)).toBe(problems(one.err));
  });
});

describe('a character the PDF font lacks, in the tender file', () => {
  // The requirement text comes from highway-tender.yaml line 29; the error was once located at the
  // bid file's 1:1, in a field the user never wrote (`deviations[7].requirement`).
  it('is located in the tender file, at its line', () => {
    const dir = highwayCopy('tender-bad', (bid, tender) => [
      bid,
      tender.replace('A 类问题响应时间小于', 'A 类问题响应时间𓀃小于'),
    ]);
    const r = cli(['build', path.join(dir, 'highway-monitoring.yaml'), '--out', 'o'], {}, dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('U+13003');
    expect(existsSync(path.join(dir, 'o'))).toBe(false);
    expect(r.err).toMatch(/highway-tender\.yaml:29:\d+ requirements\[7\]\.text/);
    expect(r.err).toContain('（出现在招标文件中偏离表第 8 行的招标要求）');
    const lint = cli(['lint', path.join(dir, 'highway-monitoring.yaml')], {}, dir);
    expect(lint.err).toMatch(/highway-tender\.yaml:29:\d+ requirements\[7\]\.text/);
  });
});

describe('Ctrl-C while the documents render', () => {
  // README: “Ctrl-C (or a TERM) while the documents render stops the build with exit 130 (143) and
  // the folder unchanged”. The signal reaches its handler only when the main thread yields to the
  // event loop; the build once never did before its files were moved in (exit 0, folder replaced).
  for (const threads of ['0', '1']) {
    it(`TENDERKIT_THREADS=${threads}: exit 130 and the folder as it was`, async () => {
      const out = path.join(tmp, `interrupted-${threads}`);
      mkdirSync(out);
      writeFileSync(path.join(out, '我的备注.txt'), '不要动');
      const before = snapshot(out);
      const child = spawn(process.execPath, [BIN, 'build', HIGHWAY, '--out', out], {
        cwd: tmp,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, XDG_CACHE_HOME: CACHE, TENDERKIT_THREADS: threads },
      });
      let err = '';
      child.stderr.setEncoding('utf8');
      const code = await new Promise<number | null>((resolve) => {
        child.stderr.on('data', (s: string) => {
          err += s;
          // Rendering has visibly started and 7 of 8 files are still to come.
          if (/\[1\/8\]/.test(err) && !child.killed) child.kill('SIGINT');
        });
        child.on('close', (c) => resolve(c));
      });
      expect(code, err).toBe(130);
      expect(err).toContain('构建已中断');
      expect(snapshot(out)).toEqual(before);
    });
  }
});

describe('a damaged built-in font', () => {
  const pkg = packageWithOwnSerif(tmp, 'damaged');
  const original = readFileSync(pkg.regular);
  const build = (out: string, threads: string) => {
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'mine.txt'), 'x');
    const r = cli(['build', HIGHWAY, '--out', out], { TENDERKIT_THREADS: threads }, tmp, pkg.bin);
    return { ...r, files: readdirSync(out) };
  };

  it('truncated inside its outlines: refused before any work, no stack, nothing written, no hang', () => {
    writeFileSync(pkg.regular, original.subarray(0, 8_000_000));
    for (const threads of ['0', '1']) {
      const r = build(path.join(tmp, `truncated-${threads}`), threads);
      expect(r.signal).toBeNull(); // not killed by the timeout
      // Once an internal error (exit 70) that asked for the bid file; now the font is named.
      expect(r.code).toBe(1);
      expect(r.err).toContain('[BuiltInFontDamaged]');
      expect(r.err).not.toMatch(/^\[\d+\/\d+\]/m); // stopped before the first document
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.files).toEqual(['mine.txt']);
    }
    writeFileSync(pkg.regular, original);
  });

  // With the glyph outlines zeroed (same size, the table directory intact) the build once
  // succeeded, every PDF's body text invisible (pdftotext still found it). A built-in font that is
  // not the file its package version shipped is now refused.
  it('outlines zeroed: refused, nothing written', () => {
    writeFileSync(pkg.regular, zeroTable(original, 'glyf'));
    try {
      const r = build(path.join(tmp, 'zeroed'), '1');
      expect(r.signal).toBeNull();
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.files).toEqual(['mine.txt']);
      expect(r.code).toBe(1);
      expect(r.err).toContain('[BuiltInFontDamaged]');
      expect(r.err).toContain('NotoSerifSC_400Regular.ttf');
    } finally {
      writeFileSync(pkg.regular, original);
    }
  });
});
