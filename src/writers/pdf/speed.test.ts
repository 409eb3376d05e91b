// The PDF writer's shortcuts inside pdfmake (a cheaper style lookup, shaping shared between
// documents, one measurement for all layout passes, text measured with one style lookup per run,
// page content gathered as text) change nothing in the files: the real CLI builds the same bytes
// with them as with pdfmake's own code (TENDERKIT_PDF_PLAIN=1). Every example has documents that
// pdfmake lays out more than once (a heading kept with its lines, a paragraph's first line).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../build.js';
import { loadExample } from '../../../test/helpers.js';
import { pdfWriter } from './index.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-pdf-speed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function build(example: string, out: string, env: Record<string, string>): Map<string, Buffer> {
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'bin/tenderkit.js'),
      'build',
      path.join(ROOT, 'examples', `${example}.yaml`),
      '--out',
      out,
      '--format',
      'pdf',
    ],
    { encoding: 'utf8', env: { ...process.env, ...env } },
  );
  expect(r.status, r.stderr).toBe(0);
  const files = readdirSync(out).filter((f) => f.endsWith('.pdf'));
  return new Map(files.map((f) => [f, readFileSync(path.join(out, f))]));
}

describe('the PDF writer inside pdfmake', () => {
  it('puts its own style lookup in place of pdfmake’s once it has written a PDF', async () => {
    await pdfWriter.write(renderAll(loadExample('minimal'))[0]!);
    const require = createRequire(import.meta.url);
    const stack = (
      require('pdfmake/js/StyleContextStack.js') as { default: { getStyleProperty: () => unknown } }
    ).default;
    // pdfmake's own pushes the inline onto the stack for every property it looks up.
    expect(String(stack.getStyleProperty)).not.toContain('.auto(');
  });

  it.each(['highway-monitoring', 'hospital-his', 'dev-project-60m'])(
    'writes %s byte for byte as pdfmake on its own does',
    (example) => {
      const fast = build(example, path.join(tmp, `${example}-fast`), {});
      const plain = build(example, path.join(tmp, `${example}-plain`), {
        TENDERKIT_PDF_PLAIN: '1',
      });
      expect([...fast.keys()].sort()).toEqual([...plain.keys()].sort());
      expect(fast.size).toBeGreaterThanOrEqual(3);
      for (const [name, bytes] of fast) expect(bytes.equals(plain.get(name)!), name).toBe(true);
    },
    120_000,
  );
});
