// The render path's disk cache (src/library/cache.ts): a warm load takes every library file from it
// and renders the same documents; the seal is still checked on every load; an entry is used only
// from the user's private folder, under its own key, with its checksum intact — anything else is
// ignored and rewritten. In this process through loadLibrary/renderDocument, then through the real
// CLI process with its own cache folder.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDiagnostic, TenderKitError } from '../src/diagnostics/diagnostic.js';
import { cacheEntryFile, cacheStats } from '../src/library/cache.js';
import { loadLibrary, PACKAGE_ROOT, type Library } from '../src/library/library.js';
import { renderDocument } from '../src/render/document.js';
import { exampleFile, loadExample, ROOT, tempFolders } from './helpers.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const temp = tempFolders();

const saved = { xdg: process.env.XDG_CACHE_HOME, off: process.env.TENDERKIT_CACHE };
/** A fresh, empty cache home for this process. */
function freshCache(): string {
  const home = temp('tk-cache-');
  process.env.XDG_CACHE_HOME = home;
  delete process.env.TENDERKIT_CACHE;
  return path.join(home, 'tenderkit', 'library-1');
}
afterEach(() => {
  for (const [k, v] of [
    ['XDG_CACHE_HOME', saved.xdg],
    ['TENDERKIT_CACHE', saved.off],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

const since = (before: typeof cacheStats) =>
  Object.fromEntries(
    Object.entries(cacheStats).map(([k, v]) => [k, v - before[k as keyof typeof cacheStats]]),
  );
const libraryFiles = (root: string) =>
  ['clauses', 'templates'].flatMap((d) =>
    readdirSync(path.join(root, d))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(root, d, f)),
  );
const bid = loadExample('hospital-his');
const letter = (lib: Library) => JSON.stringify(renderDocument(lib, bid, 'commitment-letter'));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('in this process', () => {
  it('a warm load takes every library file from the cache and renders the same documents', () => {
    const dir = freshCache();
    const files = libraryFiles(PACKAGE_ROOT).length;
    let before = { ...cacheStats };
    const cold = loadLibrary();
    expect(since(before)).toMatchObject({ hits: 0, misses: files, writes: files, refused: 0 });
    before = { ...cacheStats };
    const warm = loadLibrary();
    expect(since(before)).toMatchObject({ hits: files, misses: 0, writes: 0, refused: 0 });
    process.env.TENDERKIT_CACHE = 'off';
    before = { ...cacheStats };
    const none = loadLibrary();
    expect(since(before)).toMatchObject({ hits: 0, misses: 0, writes: 0 });
    const docs = (lib: Library) =>
      JSON.stringify(
        (['commitment-letter', 'service-plan', 'training-plan'] as const).map((id) =>
          renderDocument(lib, bid, id),
        ),
      );
    expect(docs(warm)).toBe(docs(none));
    expect(docs(cold)).toBe(docs(none));
    // Only the user may read or write it.
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.dirname(dir))).toBe(0o700);
    const entries = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(entries.length).toBeGreaterThanOrEqual(files);
    for (const e of entries) expect(mode(path.join(dir, e)), e).toBe(0o600);
  });

  it('checks the seal on every load: a changed approved body is refused, located, with the cache warm', () => {
    freshCache();
    const root = temp('tk-cache-lib-');
    for (const d of ['clauses', 'templates'])
      cpSync(path.join(PACKAGE_ROOT, d), path.join(root, d), { recursive: true });
    loadLibrary(root);
    const f = path.join(root, 'clauses', 'letter-closing.yaml');
    const text = readFileSync(f, 'utf8');
    // Version 2's body (its note quotes the same words: change the body line itself).
    const line =
      '      本承诺书自投标截止之日起生效。若我方中标，本承诺书作为合同的组成部分，对我方具有约束力。';
    const bodyLine = text.split('\n').indexOf(line) + 1;
    expect(bodyLine).toBeGreaterThan(0);
    writeFileSync(f, text.replace(line, line.replace('具有约束力', '有一定约束力')));
    const problems = () => {
      try {
        loadLibrary(root);
      } catch (e) {
        if (e instanceof TenderKitError) return e.diagnostics.map(formatDiagnostic);
        throw e;
      }
      return [];
    };
    const broken = problems();
    expect(broken).toEqual([
      expect.stringMatching(
        new RegExp(
          String.raw`letter-closing\.yaml:${bodyLine}:7：条款 letter-closing 第 2 版：已批准版本被改动[^\n]*\[ClauseApprovalBroken\]`,
        ),
      ),
    ]);
    // The refused file's entry is in the cache now (its data is valid); the next load takes it
    // from there and refuses it again, at the same place.
    const before = { ...cacheStats };
    expect(problems()).toEqual(broken);
    expect(since(before).hits).toBe(libraryFiles(root).length);
    // An approval dated in the future, found in a cached file, is located the same way.
    writeFileSync(f, text.replace('approvedOn: 2026-11-20', 'approvedOn: 2999-01-01'));
    const future = problems();
    expect(future).toEqual([
      expect.stringMatching(/letter-closing\.yaml:\d+:17：.*2999-01-01 晚于今天/),
    ]);
    expect(problems()).toEqual(future);
  });

  it('uses an entry only from the private folder, under its own key, with its checksum', () => {
    const dir = freshCache();
    const real = letter(loadLibrary());
    expect(real).toContain('对我方具有约束力');
    const bytes = readFileSync(path.join(PACKAGE_ROOT, 'clauses', 'letter-closing.yaml'));
    const file = cacheEntryFile('clause-file', sha(bytes))!;
    const good = readFileSync(file, 'utf8');
    const payload = JSON.parse(good.slice(65));
    // Code in the entry: the clause body compiled to JavaScript. Change what it writes.
    payload.value.code['2'].code = payload.value.code['2'].code.replace(
      '对我方具有约束力',
      '缓存里改过的措辞',
    );
    const forged = JSON.stringify(payload);
    const plant = (text: string, fileMode = 0o600) => {
      writeFileSync(file, text);
      chmodSync(file, fileMode);
    };
    const forgedEntry = `${sha(forged)}\n${forged}`;

    // In the user's own folder, the entry is what is used: that is what makes it a cache.
    plant(forgedEntry);
    expect(letter(loadLibrary())).toContain('缓存里改过的措辞');

    const refusedWith = (label: string, setup: () => void) => {
      setup();
      const before = { ...cacheStats };
      expect(letter(loadLibrary()), label).toBe(real);
      expect(since(before).refused, label).toBe(1);
      // …and the entry was written again from the file.
      expect(readFileSync(file, 'utf8'), label).toBe(good);
      expect(mode(file), label).toBe(0o600);
    };
    refusedWith('entry others can write', () => plant(forgedEntry, 0o664));
    // In a folder others can write, nothing is read, and nothing is written either.
    plant(forgedEntry);
    chmodSync(dir, 0o770);
    let before = { ...cacheStats };
    expect(letter(loadLibrary())).toBe(real);
    expect(since(before)).toMatchObject({ hits: 0, writes: 0 });
    expect(since(before).refused).toBe(libraryFiles(PACKAGE_ROOT).length);
    expect(readFileSync(file, 'utf8')).toBe(forgedEntry);
    chmodSync(dir, 0o700);
    refusedWith('checksum broken', () => plant(`${good.slice(0, 64)}\n${forged}`));
    const otherKey = JSON.stringify({ ...payload, key: 'f'.repeat(64) });
    refusedWith('recorded under another key', () => plant(`${sha(otherKey)}\n${otherKey}`));
    refusedWith('truncated', () => plant(forgedEntry.slice(0, 200)));
    // A symlinked folder is not the private folder, whatever it points to.
    plant(forgedEntry);
    renameSync(dir, `${dir}-real`);
    symlinkSync(`${dir}-real`, dir);
    before = { ...cacheStats };
    expect(letter(loadLibrary())).toBe(real);
    expect(since(before)).toMatchObject({ hits: 0, writes: 0 });
    expect(since(before).refused).toBeGreaterThan(0);
  });
});

describe('through the CLI process', () => {
  const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
  const run = (env: Record<string, string>, ...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, TENDERKIT_CACHE: '', TENDERKIT_DEBUG: '', ...env },
      timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('lint fills a private cache holding library text only and reads it; a changed, misplaced or exposed entry is not run; TENDERKIT_CACHE=off writes none', () => {
    const home = temp('tk-cache-cli-');
    const dir = path.join(home, 'tenderkit', 'library-1');
    const env = { XDG_CACHE_HOME: home };
    const bid = exampleFile('highway-monitoring');
    const first = run(env, 'lint', bid);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('检查通过');
    expect(mode(path.dirname(dir))).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    const entries = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(entries.length).toBeGreaterThan(libraryFiles(PACKAGE_ROOT).length);
    for (const e of entries) expect(mode(path.join(dir, e))).toBe(0o600);

    // Library text only: values from the bid are placeholders in what is cached, and the bid's
    // own Markdown (its extra commitments) is never cached.
    const cached = entries.map((e) => readFileSync(path.join(dir, e), 'utf8')).join('\n');
    expect(cached).toContain('特此承诺'); // library wording
    for (const value of [
      '长沙智行交通科技股份有限公司',
      '湘南高速公路建设开发有限公司',
      '湘南高速公路机电工程监控系统采购项目',
      '罗志远',
      '139-7312-4408',
      '除冰保畅',
      '冬季除冰期间的值守',
    ])
      expect(cached).not.toContain(value);

    // The letter-closing entry, with code added that reports itself when it runs.
    const file = entries
      .map((e) => path.join(dir, e))
      .find((p) => readFileSync(p, 'utf8').includes('"id":"letter-closing"'))!;
    const good = readFileSync(file, 'utf8');
    const payload = JSON.parse(good.slice(65));
    for (const v of Object.values(payload.value.code) as { code: string }[])
      v.code = v.code.replace(
        'var output = "";',
        'var output = ""; process.stderr.write("缓存中的代码已运行\\n");',
      );
    const forged = JSON.stringify(payload);
    const ran = (r: ReturnType<typeof run>) => {
      expect(r.code, r.err).toBe(0);
      expect(r.out).toBe(first.out);
      return r.err.includes('缓存中的代码已运行');
    };

    // In its own private folder an entry is what runs: that is what makes it a cache.
    writeFileSync(file, `${sha(forged)}\n${forged}`);
    expect(ran(run(env, 'lint', bid))).toBe(true);
    // An entry others could have written is not run, and is written again from the clause file.
    chmodSync(file, 0o666);
    expect(ran(run(env, 'lint', bid))).toBe(false);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(good);
    // Nor in a folder others can write (nothing is written there either).
    writeFileSync(file, `${sha(forged)}\n${forged}`);
    chmodSync(dir, 0o770);
    expect(ran(run(env, 'lint', bid))).toBe(false);
    chmodSync(dir, 0o700);
    expect(readFileSync(file, 'utf8')).toContain('缓存中的代码已运行');
    // Nor with a checksum that does not match what it holds, nor under a name that is not the key
    // recorded inside (an entry made for other text).
    writeFileSync(file, `${good.slice(0, 64)}\n${forged}`);
    expect(ran(run(env, 'lint', bid))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(good);
    const elsewhere = JSON.stringify({ ...payload, key: 'f'.repeat(64) });
    writeFileSync(file, `${sha(elsewhere)}\n${elsewhere}`);
    expect(ran(run(env, 'lint', bid))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(good);

    // Nor through a linked folder, whatever it points to.
    writeFileSync(file, `${sha(forged)}\n${forged}`);
    renameSync(dir, `${dir}-real`);
    symlinkSync(`${dir}-real`, dir);
    expect(ran(run(env, 'lint', bid))).toBe(false);

    const offHome = temp('tk-cache-off-');
    const off = run({ XDG_CACHE_HOME: offHome, TENDERKIT_CACHE: 'off' }, 'lint', bid);
    expect(ran(off)).toBe(false);
    expect(existsSync(path.join(offHome, 'tenderkit'))).toBe(false);
  });
});
