// The CLI started from its bundle (src/cli/launch.ts, scripts/bundle.mjs): the same answers and
// byte-identical files as from dist/, V8's code cache kept in the user's private cache folder and
// used on the next run, a damaged or untrusted entry ignored, `TENDERKIT_CACHE=off` honoured, and
// dist/ used whenever the bundle is not made from the files now there.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_COMMANDS, cacheName, inputsUnchanged, loadBundle } from '../src/cli/launch.js';
import { TOP_COMMANDS } from '../src/cli/usage.js';
import { binaryCacheGet, binaryCachePut } from '../src/library/cache.js';
import { exampleFile, ROOT } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const RECORDER = path.join(ROOT, 'test', 'fixtures', 'record-modules.mjs');
const BUNDLE = path.join(ROOT, 'dist', 'bundle', 'cli.js');
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'tk-launch-'));
const KEY = 'ab'.repeat(32);
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function withCacheHome<T>(home: string, f: () => T): T {
  const saved = { xdg: process.env.XDG_CACHE_HOME, off: process.env.TENDERKIT_CACHE };
  process.env.XDG_CACHE_HOME = home;
  delete process.env.TENDERKIT_CACHE;
  try {
    return f();
  } finally {
    if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.xdg;
    if (saved.off !== undefined) process.env.TENDERKIT_CACHE = saved.off;
  }
}

function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TENDERKIT_DEBUG_LAUNCH: '1', ...env },
  });
}
/** stderr without the launch line. */
const errOf = (r: { stderr: string }) => r.stderr.replace(/^\[launch\].*\n/m, '');
const launchOf = (r: { stderr: string }) => /^\[launch\] (.*)$/m.exec(r.stderr)?.[1];

describe('binary cache entries (the code cache)', () => {
  it('reads back what was written, in a private folder, and nothing once damaged or untrusted', () => {
    const home = tmp();
    withCacheHome(home, () => {
      const data = Buffer.from('compiled code \u0000\u00ff'.repeat(100), 'latin1');
      binaryCachePut('code-1', KEY, data);
      const file = path.join(home, 'tenderkit', 'code-1', `${KEY}.bin`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(binaryCacheGet('code-1', KEY)?.equals(data)).toBe(true);
      // Another key never reads this entry, even under its name.
      const other = 'cd'.repeat(32);
      cpSync(file, path.join(path.dirname(file), `${other}.bin`));
      expect(binaryCacheGet('code-1', other)).toBeUndefined();
      // One byte changed: the checksum fails.
      const bytes = readFileSync(file);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 1, bytes.length - 10);
      writeFileSync(file, bytes, { mode: 0o600 });
      expect(binaryCacheGet('code-1', KEY)).toBeUndefined();
      // Written again: readable again; then writable by others: refused.
      binaryCachePut('code-1', KEY, data);
      expect(binaryCacheGet('code-1', KEY)?.equals(data)).toBe(true);
      chmodSync(file, 0o666);
      expect(binaryCacheGet('code-1', KEY)).toBeUndefined();
      chmodSync(file, 0o600);
      chmodSync(path.dirname(file), 0o777);
      expect(binaryCacheGet('code-1', KEY)).toBeUndefined();
      chmodSync(path.dirname(file), 0o700);
      // A symlink in place of the entry is not followed.
      const elsewhere = path.join(tmp(), 'entry.bin');
      cpSync(file, elsewhere);
      rmSync(file);
      symlinkSync(elsewhere, file);
      expect(binaryCacheGet('code-1', KEY)).toBeUndefined();
    });
  });

  it('writes nothing with TENDERKIT_CACHE=off', () => {
    const home = tmp();
    withCacheHome(home, () => {
      process.env.TENDERKIT_CACHE = 'off';
      binaryCachePut('code-1', KEY, Buffer.from('x'));
      expect(binaryCacheGet('code-1', KEY)).toBeUndefined();
      delete process.env.TENDERKIT_CACHE;
    });
    expect(readdirSync(home)).toEqual([]);
  });
});

describe('whether the bundle is current', () => {
  it('is while every input holds the same bytes, even rewritten; not once one changes', () => {
    const root = tmp();
    writeFileSync(path.join(root, 'a.js'), 'export const a = 1;\n');
    const st = statSync(path.join(root, 'a.js'));
    const stamp = {
      sha256: '',
      inputs: [['a.js', st.size, st.mtimeMs, sha('export const a = 1;\n')] as const],
    };
    expect(inputsUnchanged(stamp, root)).toBe(true);
    utimesSync(path.join(root, 'a.js'), new Date(), new Date(Date.now() + 5000)); // tsc rewrote it
    expect(inputsUnchanged(stamp, root)).toBe(true);
    writeFileSync(path.join(root, 'a.js'), 'export const a = 2;\n'); // same size, other code
    expect(inputsUnchanged(stamp, root)).toBe(false);
    writeFileSync(path.join(root, 'a.js'), 'export const a = 10;\n');
    expect(inputsUnchanged(stamp, root)).toBe(false);
    rmSync(path.join(root, 'a.js'));
    expect(inputsUnchanged(stamp, root)).toBe(false);
    expect(inputsUnchanged({ sha256: '', inputs: [] }, root)).toBe(false);
  });

  it('names code cache entries by command, and a build by its formats', () => {
    expect(cacheName(['lint', 'a.yaml'])).toBe('lint');
    expect(cacheName(['build', 'a.yaml'])).toBe('build docx,pdf');
    expect(cacheName(['build', 'a.yaml', '--format', 'html'])).toBe('build html');
    expect(cacheName(['build', '--format=docx', 'a.yaml'])).toBe('build docx');
  });

  it('every command but serve runs from the bundle', () => {
    expect([...BUNDLED_COMMANDS].sort()).toEqual(TOP_COMMANDS.filter((c) => c !== 'serve').sort());
  });
});

// The bundle is made from dist/ by the global setup (test/global-setup.ts), as by `npm run build`.
describe('the CLI from its bundle', () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const c of copies) rmSync(c, { recursive: true, force: true });
  });

  it('lints as dist/ does, keeps the compiled code per command and uses it next time', () => {
    const home = tmp();
    const env = { XDG_CACHE_HOME: home };
    const file = exampleFile('highway-monitoring');
    const fromDist = cli(['lint', file], { ...env, TENDERKIT_BUNDLE: 'off' });
    expect(launchOf(fromDist)).toBe('dist');
    const first = cli(['lint', file], env);
    expect(launchOf(first)).toBe('bundle, code cache none');
    const entries = () =>
      readdirSync(path.join(home, 'tenderkit', 'code-1')).filter((f) => f.endsWith('.bin'));
    expect(entries()).toHaveLength(1);
    const entry = path.join(home, 'tenderkit', 'code-1', entries()[0]!);
    const second = cli(['lint', file], env);
    expect(launchOf(second)).toBe('bundle, code cache used');
    for (const r of [fromDist, first, second]) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(fromDist.stdout);
      expect(errOf(r)).toBe(errOf(fromDist));
    }
    expect(fromDist.stdout).toContain('检查通过');
    // A damaged entry is not used; the run writes a good one again.
    const bytes = readFileSync(entry);
    bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0xff, bytes.length >> 1);
    writeFileSync(entry, bytes);
    const third = cli(['lint', file], env);
    expect(launchOf(third)).toBe('bundle, code cache none');
    expect(third.stdout).toBe(fromDist.stdout);
    expect(launchOf(cli(['lint', file], env))).toBe('bundle, code cache used');
    // Another command keeps its own entry; version and help never read the bundle.
    const schema = cli(['schema'], env);
    expect(launchOf(schema)).toBe('bundle, code cache none');
    expect(schema.stdout).toBe(cli(['schema'], { ...env, TENDERKIT_BUNDLE: 'off' }).stdout);
    expect(entries()).toHaveLength(2);
    expect(launchOf(cli(['--version'], env))).toBe('dist');
    expect(launchOf(cli(['lint', '--help'], env))).toBe('dist');
    // A usage error and a bid error read the same from the bundle.
    const usage = [cli(['lint'], env), cli(['lint'], { ...env, TENDERKIT_BUNDLE: 'off' })];
    expect(usage.map((r) => [r.status, errOf(r)])).toEqual([
      [2, errOf(usage[1]!)],
      [2, errOf(usage[1]!)],
    ]);
    expect(launchOf(usage[0]!)).toMatch(/^bundle/);
  }, 120_000);

  it('with TENDERKIT_CACHE=off keeps no code', () => {
    const home = tmp();
    const r = cli(['lint', exampleFile('dev-project-60m')], {
      XDG_CACHE_HOME: home,
      TENDERKIT_CACHE: 'off',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(launchOf(r)).toBe('bundle, code cache off');
    expect(readdirSync(home)).toEqual([]);
  });

  it('builds the same bytes as dist/, requiring the packages left outside only when used', () => {
    const home = tmp();
    const [a, b] = [tmp(), tmp()];
    const args = (out: string) => [
      'build',
      exampleFile('dev-project-60m'),
      '--out',
      out,
      '--format',
      'docx,pdf,html',
    ];
    const log = path.join(tmp(), 'modules.log');
    writeFileSync(log, '');
    const bundled = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args(a)], {
      encoding: 'utf8',
      env: {
        ...process.env,
        XDG_CACHE_HOME: home,
        TK_MODULE_LOG: log,
        TENDERKIT_DEBUG_LAUNCH: '1',
        TENDERKIT_THREADS: '1', // PDFs on the writer thread; from dist/ below, on one thread
      },
    });
    const plain = cli(args(b), { XDG_CACHE_HOME: home, TENDERKIT_BUNDLE: 'off' });
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(plain.status, plain.stderr).toBe(0);
    expect(launchOf(bundled)).toMatch(/^bundle/);
    expect(bundled.stdout.replaceAll(a, 'OUT')).toBe(plain.stdout.replaceAll(b, 'OUT'));
    const files = readdirSync(a).sort();
    expect(files).toHaveLength(10); // 3 documents × 3 formats + manifest.json
    expect(readdirSync(b).sort()).toEqual(files);
    for (const f of files)
      expect(readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f))), f).toBe(true);
    // The same image names (SHA-1 of each figure's PNG), from Node's SHA-1 in the bundle.
    expect(readFileSync(BUNDLE, 'latin1')).toMatch(
      /hashedId = \(data\) => .*createHash\)\("sha1"\)/,
    );
    // Bundled packages are not separate modules; the ones left outside are required when used.
    const lines = readFileSync(log, 'utf8').split('\n');
    const mainCjs = lines.filter((l) => l.startsWith('cjs 0 '));
    for (const pkg of ['express', 'helmet', 'openid-client', 'piscina'])
      expect(
        mainCjs.some((l) => l.includes(`/node_modules/${pkg}/`)),
        pkg,
      ).toBe(false);
    expect(mainCjs.some((l) => l.includes('/dist/bundle/cli.js'))).toBe(false); // not via require
    expect(lines.some((l) => l.startsWith('esm ') && l.endsWith('/dist/cli/main.js'))).toBe(false);
    expect(lines.some((l) => l.startsWith('esm ') && l.endsWith('/thread-worker.js'))).toBe(true);
  }, 120_000);

  it('is not used once a file it was made from changes, nor when it was altered', () => {
    // A copy two folders below the package root, as dist/bundle/ is.
    const dir = mkdtempSync(path.join(ROOT, 'dist', 'bundle-test-'));
    copies.push(dir);
    const copy = path.join(dir, 'cli.js');
    cpSync(BUNDLE, copy);
    const stamp = JSON.parse(readFileSync(BUNDLE.replace(/\.js$/, '.json'), 'utf8')) as {
      sha256: string;
      inputs: [string, number, number, string][];
    };
    // One more input, in the copy's folder, to change.
    const input = path.join(dir, 'input.js');
    writeFileSync(input, 'one\n');
    const st = statSync(input);
    const inputSha = sha('one\n');
    const withInput = {
      ...stamp,
      inputs: [...stamp.inputs, [path.relative(ROOT, input), st.size, st.mtimeMs, inputSha]],
    };
    writeFileSync(path.join(dir, 'cli.json'), JSON.stringify(withInput));
    const home = tmp();
    const loaded = withCacheHome(home, () => loadBundle('version-test', copy));
    expect(typeof loaded?.main).toBe('function');
    writeFileSync(input, 'two\n');
    expect(withCacheHome(home, () => loadBundle('version-test', copy))).toBeUndefined();
    writeFileSync(input, 'one\n');
    expect(withCacheHome(home, () => loadBundle('version-test', copy))).toBeDefined();
    // The bundle itself altered (its stamp no longer matches).
    writeFileSync(copy, `${readFileSync(copy, 'latin1')}\n// changed\n`, 'latin1');
    expect(withCacheHome(home, () => loadBundle('version-test', copy))).toBeUndefined();
    // No stamp at all.
    rmSync(path.join(dir, 'cli.json'));
    expect(withCacheHome(home, () => loadBundle('version-test', copy))).toBeUndefined();
  });
});
