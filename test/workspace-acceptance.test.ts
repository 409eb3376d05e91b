// Issue 11's acceptance, end to end through the real CLI: a company makes a workspace, legal
// proposes and approves new wording, the starter bid's letter carries it, and an approved body
// edited in place is refused. The package's own library is never touched.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfPages, ROOT, squash } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const run = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });

/** SHA-256 of every file in the package's clauses/ and templates/. */
function packageLibraryHash(): string {
  const h = createHash('sha256');
  for (const dir of ['clauses', 'templates'])
    for (const f of readdirSync(path.join(ROOT, dir)).sort())
      h.update(`${dir}/${f}\0`).update(readFileSync(path.join(ROOT, dir, f)));
  return h.digest('hex');
}

const NEW_WORDING = '本承诺书经我方法定代表人签署后生效，至合同履行完毕时止。';

describe('a company workspace from init to a letter with its own approved wording', () => {
  const before = packageLibraryHash();
  let ws: string;
  let bid: string;
  const clauseFile = () => path.join(ws, 'library', 'clauses', 'letter-closing.yaml');

  beforeAll(() => {
    ws = path.join(mkdtempSync(path.join(os.tmpdir(), 'tk-accept-')), 'acme');
    expect(run(os.tmpdir(), 'init', ws).status).toBe(0);
    bid = readdirSync(path.join(ws, 'bids')).find((f) => f.endsWith('.yaml'))!;
    writeFileSync(path.join(ws, 'closing.md'), `${NEW_WORDING}\n\n特此承诺。\n`);
  });

  afterAll(() => {
    // Throughout: the package's clauses/ and templates/ are byte-identical.
    expect(packageLibraryHash()).toBe(before);
  });

  it('proposes, approves as someone else, and the starter bid’s letter says the new wording', () => {
    const proposed = run(
      ws,
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'closing.md',
      '--author',
      '吴晓岚',
      '--format',
      'json',
    );
    expect(proposed.status, proposed.stderr).toBe(0);
    const { version } = JSON.parse(proposed.stdout) as { id: string; version: number };
    expect(version).toBeGreaterThan(1);

    // The author cannot approve their own version.
    const self = run(ws, 'clauses', 'approve', 'letter-closing', String(version), '--by', '吴晓岚');
    expect(self.status).toBe(1);
    const ok = run(
      ws,
      'clauses',
      'approve',
      'letter-closing',
      String(version),
      '--by',
      '孟庆和（法务部）',
    );
    expect(ok.status, ok.stderr).toBe(0);

    // A draft is never used without --drafts; the approved one is used by default.
    const out = path.join(ws, 'out');
    const built = run(path.join(ws, 'bids'), 'build', bid, '--out', out, '--format', 'pdf');
    expect(built.status, built.stderr).toBe(0);
    const letter = pdfPages(readFileSync(path.join(out, '售后服务承诺书.pdf'))).join('');
    expect(squash(letter)).toContain(squash(NEW_WORDING));
    expect(squash(letter)).not.toContain('对我方具有约束力'); // the wording it replaced
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      documents: { clauses: { id: string; version: number }[] }[];
    };
    const used = manifest.documents
      .flatMap((d) => d.clauses)
      .find((c) => c.id === 'letter-closing');
    expect(used?.version).toBe(version);
  });

  it('refuses to build once the approved body is edited in the file, located at the clause', () => {
    const text = readFileSync(clauseFile(), 'utf8');
    writeFileSync(clauseFile(), text.replace('至合同履行完毕时止', '至质保期满时止'));
    const out = path.join(ws, 'out-tampered');
    const r = run(path.join(ws, 'bids'), 'build', bid, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/library\/clauses\/letter-closing\.yaml:\d+:\d+.*已批准版本被改动/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(() => readdirSync(out)).toThrow(); // nothing written
  });
});
