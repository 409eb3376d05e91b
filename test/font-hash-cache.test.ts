// The fonts' SHA-256 recorded in manifest.json comes from the user's cache after the first build
// (src/provenance/manifest.ts fontSha256): it is always the hash of the font file's bytes — with
// the cache empty, filled, damaged or off — and `verify` accepts the build either way.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FONT_FILES, FONT_KEYS } from '../src/fonts/files.js';
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
  return new Map(manifest.fonts.map((f) => [f.name, f.sha256]));
}

describe('font hashes in the manifest', () => {
  it('are the files’ SHA-256 with the cache empty, filled, damaged and off', () => {
    expect(build()).toEqual(truth);
    expect(readdirSync(folder).filter((f) => f.endsWith('.bin'))).toHaveLength(FONT_KEYS.length);
    expect(build()).toEqual(truth);
    // Damaged entries (no valid checksum) are ignored and written again.
    for (const f of readdirSync(folder).filter((x) => x.endsWith('.bin')))
      writeFileSync(path.join(folder, f), '0'.repeat(200), { mode: 0o600 });
    expect(build()).toEqual(truth);
    expect(build({ TENDERKIT_CACHE: 'off' })).toEqual(truth);
  }, 180_000);
});
