// The fonts' SHA-256 recorded in manifest.json comes from the user's cache after the first build
// (src/provenance/manifest.ts fontSha256): it is always the hash of the font file's bytes — with
// the cache empty, filled, damaged or off — and `verify` hashes the fonts itself.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FONT_FILES, FONT_KEYS } from '../src/fonts/files.js';
import { binaryCachePut } from '../src/library/cache.js';
import { exampleFile, ROOT } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-fonthash-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const home = path.join(tmp, 'cache');
const folder = path.join(home, 'tenderkit', 'fonts-1');
const truth = new Map(
  FONT_KEYS.map((k) => [
    path.basename(FONT_FILES[k]),
    createHash('sha256').update(readFileSync(FONT_FILES[k])).digest('hex'),
  ]),
);
let n = 0;

function build(env: Record<string, string> = {}) {
  const out = path.join(tmp, `out-${++n}`);
  const env2 = { ...process.env, XDG_CACHE_HOME: home, ...env };
  const r = spawnSync(
    process.execPath,
    [BIN, 'build', exampleFile('minimal'), '--format', 'docx', '--out', out],
    { encoding: 'utf8', env: env2 },
  );
  expect(r.status, r.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
    fonts: { name: string; sha256: string }[];
  };
  const v = spawnSync(process.execPath, [BIN, 'verify', out], { encoding: 'utf8', env: env2 });
  expect(v.status, v.stdout + v.stderr).toBe(0);
  return { hashes: new Map(manifest.fonts.map((f) => [f.name, f.sha256])), out, verify: v };
}

describe('font hashes in the manifest', () => {
  it('are the files’ SHA-256 with the cache empty, filled, damaged and off; verify never trusts the cache', () => {
    const honest = build();
    expect(honest.hashes).toEqual(truth);
    expect(readdirSync(folder).filter((f) => f.endsWith('.bin'))).toHaveLength(FONT_KEYS.length);
    expect(build().hashes).toEqual(truth);
    // Damaged entries (no valid checksum) are ignored and written again.
    for (const f of readdirSync(folder).filter((x) => x.endsWith('.bin')))
      writeFileSync(path.join(folder, f), '0'.repeat(200), { mode: 0o600 });
    expect(build().hashes).toEqual(truth);
    expect(build({ TENDERKIT_CACHE: 'off' }).hashes).toEqual(truth);

    // Entries rewritten with a valid checksum but a false hash (only the user's own processes can
    // write there): a hash that is not the shipped font's is taken again from the file, so the
    // build records the true hashes; `verify` hashes the fonts itself and accepts both builds.
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = home;
    try {
      for (const f of readdirSync(folder).filter((x) => x.endsWith('.bin')))
        binaryCachePut('fonts-1', f.slice(0, 64), Buffer.from('0'.repeat(64), 'latin1'));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
    const forged = build({});
    expect(forged.hashes).toEqual(truth);
    const again = spawnSync(process.execPath, [BIN, 'verify', honest.out], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: home },
    });
    expect(again.status, again.stdout + again.stderr).toBe(0);
  }, 180_000);
});

describe('a FIFO planted under a cache entry’s name', () => {
  it('is ignored: the build finishes instead of blocking on the open', () => {
    const fifoHome = path.join(tmp, 'fifo-cache');
    const env = { ...process.env, XDG_CACHE_HOME: fifoHome };
    const args = [BIN, 'build', exampleFile('minimal'), '--format', 'docx'];
    const first = spawnSync(process.execPath, [...args, '--out', path.join(tmp, 'f1')], {
      encoding: 'utf8',
      env,
    });
    expect(first.status, first.stderr).toBe(0);
    // Every entry of every binary cache folder becomes a FIFO nobody writes to.
    let fifos = 0;
    for (const sub of readdirSync(path.join(fifoHome, 'tenderkit'))) {
      const dir = path.join(fifoHome, 'tenderkit', sub);
      for (const f of readdirSync(dir).filter((x) => /\.(bin|json)$/.test(x))) {
        rmSync(path.join(dir, f));
        expect(spawnSync('mkfifo', [path.join(dir, f)]).status).toBe(0);
        fifos++;
      }
    }
    expect(fifos).toBeGreaterThan(4);
    const r = spawnSync(process.execPath, [...args, '--out', path.join(tmp, 'f2')], {
      encoding: 'utf8',
      env,
      timeout: 60_000,
      killSignal: 'SIGKILL', // a build blocked in open() cannot run its SIGTERM handler
    });
    expect(r.signal, 'the build hung').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(
      readFileSync(path.join(tmp, 'f2', '售后服务承诺书.docx')).equals(
        readFileSync(path.join(tmp, 'f1', '售后服务承诺书.docx')),
      ),
    ).toBe(true);
  }, 120_000);
});
