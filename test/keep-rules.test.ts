// PDF keep rules from the outside: a numbered heading is never the last line above a page's footer,
// also when the content around it is an unbreakable block pdfmake moved to another page (a figure
// above it, the closing paragraph and signature below it), whose positions pdfmake records on the
// page where the block began. Built through the real CLI; each page read with pdftotext.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleFile, ROOT } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-keep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The last line of text above the footer on every page of a PDF. */
function lastLines(pdf: string): string[] {
  const pages = Number(
    /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1],
  );
  return Array.from({ length: pages }, (_, i) => {
    const text = execFileSync(
      'pdftotext',
      ['-layout', '-f', `${i + 1}`, '-l', `${i + 1}`, pdf, '-'],
      {
        encoding: 'utf8',
      },
    );
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^第\s*\d+\s*页\s*共\s*\d+\s*页$/.test(l));
    return lines.at(-1) ?? '';
  });
}

describe('no heading alone at the foot of a page', () => {
  it.each([
    [
      'a heading below a figure pdfmake moved to the next page',
      'test/fixtures/keep/heading-after-figure.yaml',
    ],
    [
      'a heading above the closing paragraph kept with the signature',
      exampleFile('dev-project-60m'),
    ],
  ])(
    '%s',
    (_what, bid) => {
      const out = path.join(tmp, path.basename(bid, '.yaml'));
      const r = spawnSync(
        process.execPath,
        ['bin/tenderkit.js', 'build', bid, '--format', 'pdf', '--out', out],
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      const last = lastLines(path.join(out, '售后服务方案.pdf'));
      expect(last.length).toBeGreaterThan(4);
      // (A contents entry ends in its page number; a heading does not.)
      const stranded = last.filter((l) => /^[一二三四五六七八九十]+、\S/.test(l) && !/\d$/.test(l));
      expect(stranded).toEqual([]);
    },
    120_000,
  );
});
