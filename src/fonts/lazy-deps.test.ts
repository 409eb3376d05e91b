// The stand-ins for modules the PDF libraries load and TenderKit never runs (lazy-deps.ts): a
// PDF build through the real CLI loads neither, writes the same bytes as without the stand-ins
// (TENDERKIT_PDF_PLAIN=1), and a caller that does use one gets the real module's answers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { standInUnusedModules } from './lazy-deps.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-lazy-deps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('stand-ins for unused modules', () => {
  it('are not loaded by a PDF build, which writes the same bytes as without them', () => {
    const trace = path.join(tmp, 'trace.cjs');
    writeFileSync(
      trace,
      `const M = require('module'); const c = M.prototype._compile;
M.prototype._compile = function (s, f) {
  if (/[\\\\/](brotli|@noble[\\\\/]ciphers)[\\\\/]/.test(f)) process.stderr.write('LOADED ' + f + '\\n');
  return c.call(this, s, f);
};\n`,
    );
    const build = (out: string, env: Record<string, string>) => {
      const r = spawnSync(
        process.execPath,
        [
          '-r',
          trace,
          'bin/tenderkit.js',
          'build',
          'examples/highway-monitoring.yaml',
          '--out',
          out,
        ],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } },
      );
      expect(r.status, r.stderr).toBe(0);
      return r.stderr;
    };
    const a = path.join(tmp, 'with');
    const b = path.join(tmp, 'plain');
    expect(build(a, {})).not.toContain('LOADED');
    // Without the stand-ins (pdfmake's and pdfkit's own ways) both are loaded: the check is real.
    expect(build(b, { TENDERKIT_PDF_PLAIN: '1' })).toContain('LOADED');
    const pdfs = readdirSync(a).filter((f) => f.endsWith('.pdf'));
    expect(pdfs.length).toBeGreaterThanOrEqual(3);
    for (const f of pdfs)
      expect(readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f))), f).toBe(true);
  }, 180_000);

  it('hand a caller the real module once used', () => {
    standInUnusedModules();
    const fromFontkit = createRequire(createRequire(import.meta.url).resolve('fontkit'));
    const decompress = fromFontkit('brotli/decompress.js') as (
      b: Uint8Array,
      n: number,
    ) => Uint8Array;
    const text = Buffer.from('质保期内免费维修'.repeat(20));
    expect(Buffer.from(decompress(brotliCompressSync(text), text.length)).equals(text)).toBe(true);

    const fromPdfkit = createRequire(createRequire(import.meta.url).resolve('pdfkit'));
    const aes = fromPdfkit('@noble/ciphers/aes') as {
      cbc(key: Uint8Array, iv: Uint8Array): { encrypt(d: Uint8Array): Uint8Array };
    };
    const key = new Uint8Array(16).fill(7);
    const iv = new Uint8Array(16).fill(3);
    const data = new Uint8Array(32).fill(42);
    const out = aes.cbc(key, iv).encrypt(data);
    expect(out.length).toBe(48); // padded to the next block
    // Decrypting with the same module gives the data back.
    const back = (
      aes as unknown as {
        cbc(k: Uint8Array, i: Uint8Array): { decrypt(d: Uint8Array): Uint8Array };
      }
    )
      .cbc(key, iv)
      .decrypt(out);
    expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
  });
});
