// A commitment the bid sets but no generated document states is a warning, through the real CLI:
// the bid team must not believe they promised something the tenderee never reads.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, exampleFile, ROOT } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const lint = (file: string) => {
  const r = spawnSync(process.execPath, [BIN, 'lint', file, '--format', 'json'], {
    encoding: 'utf8',
  });
  return JSON.parse(r.stdout) as {
    ok: boolean;
    diagnostics: { name: string; path: string | null; line: number | null; message: string }[];
  };
};

/** The hospital example (with its tender file) in a temp folder, `documents:` set as given. */
function hospitalWith(documents: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-unstated-'));
  copyFileSync(exampleFile('hospital-tender'), path.join(dir, 'hospital-tender.yaml'));
  const file = path.join(dir, 'bid.yaml');
  writeFileSync(
    file,
    `${readFileSync(exampleFile('hospital-his'), 'utf8')}documents: ${documents}\n`,
  );
  return file;
}

describe('a set commitment section that no document states', () => {
  it('is a located warning naming the section and the documents built', () => {
    const r = lint(hospitalWith('[commitment-letter]'));
    const found = r.diagnostics.filter((d) => d.name === 'CommitmentNotStated');
    // The letter states warranty, staff, tiers, training…; spares and the emergency plan are only
    // in the 售后服务方案, which this bid does not produce.
    expect(found.map((d) => d.path).sort()).toEqual(['emergency', 'spares']);
    const text = readFileSync(hospitalWith('[commitment-letter]'), 'utf8').split('\n');
    for (const d of found) {
      // Located in the section: the nearest top-level key at or above the line is the section's.
      const key = text
        .slice(0, d.line!)
        .reverse()
        .find((l) => /^\S/.test(l));
      expect(key).toMatch(new RegExp(`^${d.path}:`));
      expect(d.message).toMatch(/《售后服务承诺书》《偏离表》都没有写到它/);
    }
    expect(r.ok).toBe(true); // a warning: the bid may still be built
  });

  it('is silent when the documents state every section the bid sets (every example)', () => {
    for (const name of EXAMPLES) {
      const r = lint(exampleFile(name));
      expect(r.diagnostics.filter((d) => d.name === 'CommitmentNotStated')).toEqual([]);
    }
  });
});
