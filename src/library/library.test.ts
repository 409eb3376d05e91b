import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultLibrary,
  libraryAt,
  loadLibrary,
  PACKAGE_ROOT,
  resolveVersion,
  type LoadedClause,
} from './library.js';

const lib = defaultLibrary();
const clause = (id: string) => {
  const c = lib.clauses.get(id);
  if (!c) throw new Error(id);
  return c;
};
const version = (r: ReturnType<typeof resolveVersion>) => (r.ok ? r.version.version : r.problem);

describe('clause version resolution', () => {
  it('ships real history: at least three clauses with two or more versions', () => {
    const multi = [...lib.clauses.values()]
      .filter((c) => c.clause.versions.length >= 2)
      .map((c) => c.clause.id);
    expect(multi.length).toBeGreaterThanOrEqual(3);
    expect(multi).toEqual(
      expect.arrayContaining(['response-tiers', 'warranty-period', 'penalties']),
    );
  });

  it('uses the latest approved version by default, never a draft', () => {
    expect(version(resolveVersion(clause('warranty-period')))).toBe(3);
    expect(version(resolveVersion(clause('service-staff')))).toBe(5);
    expect(version(resolveVersion(clause('letter-closing')))).toBe(2);
  });

  it('uses the latest draft only when drafts are allowed', () => {
    // service-staff's draft 4 is older than its approved version 5: the newest usable one wins.
    expect(version(resolveVersion(clause('service-staff'), { allowDrafts: true }))).toBe(5);
    const withNewerDraft: LoadedClause = {
      ...clause('service-staff'),
      clause: {
        ...clause('service-staff').clause,
        versions: [
          ...clause('service-staff').clause.versions,
          { version: 6, status: 'draft', author: '吴晓岚', body: '草稿。\n' },
        ],
      },
    };
    expect(version(resolveVersion(withNewerDraft))).toBe(5);
    expect(version(resolveVersion(withNewerDraft, { allowDrafts: true }))).toBe(6);
  });

  it('honours pins, refusing retired, unknown and (without the flag) draft versions', () => {
    expect(
      version(resolveVersion(clause('letter-closing'), { pins: { 'letter-closing': 1 } })),
    ).toBe(1);
    expect(
      version(resolveVersion(clause('warranty-period'), { pins: { 'warranty-period': 2 } })),
    ).toBe('ClauseVersionRetired');
    expect(version(resolveVersion(clause('penalties'), { pins: { penalties: 1 } }))).toBe(
      'ClauseVersionRetired',
    );
    expect(version(resolveVersion(clause('penalties'), { pins: { penalties: 9 } }))).toBe(
      'ClauseVersionUnknown',
    );
    expect(version(resolveVersion(clause('service-staff'), { pins: { 'service-staff': 4 } }))).toBe(
      'ClauseVersionDraft',
    );
    expect(
      version(
        resolveVersion(clause('service-staff'), {
          pins: { 'service-staff': 4 },
          allowDrafts: true,
        }),
      ),
    ).toBe(4);
  });
});

describe('loading', () => {
  const copy = () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tk-lib-'));
    for (const d of ['clauses', 'templates'])
      cpSync(path.join(PACKAGE_ROOT, d), path.join(root, d), { recursive: true });
    return root;
  };

  it('keeps a folder’s library while its files stay as they are, and loads it again when one changes', () => {
    const root = copy();
    try {
      const first = libraryAt(root);
      expect(libraryAt(root)).toBe(first);
      // The same number of bytes, other words: still noticed.
      const f = path.join(root, 'clauses', 'letter-closing.yaml');
      const text = readFileSync(f, 'utf8');
      writeFileSync(f, text.replace('note: 初版。', 'note: 首版。'));
      const second = libraryAt(root);
      expect(second).not.toBe(first);
      expect(second.clauses.get('letter-closing')!.clause.versions[0]!.note).toBe('首版。');
      // A reload checks the seals again.
      writeFileSync(f, text.replace('特此承诺。', '特此郑重承诺。'));
      expect(() => libraryAt(root)).toThrow(/已批准版本被改动/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('compiles every usable version on load and a retired one only when asked, reporting what does not compile', () => {
    const root = copy();
    try {
      const f = path.join(root, 'clauses', 'penalties.yaml');
      const text = readFileSync(f, 'utf8');
      // Version 1 is retired: a body that does not compile there does not stop the library…
      const retired = text.replace(/(version: 1\n[\s\S]*?body: \|\n)/, '$1      {% if %}\n');
      writeFileSync(f, retired);
      const lib = loadLibrary(root);
      const penalties = lib.clauses.get('penalties')!;
      expect(penalties.clause.versions[0]!.status).toBe('retired');
      expect(penalties.compiled.has(1)).toBe(false);
      expect(penalties.compiled.get(3)).toBeDefined();
      // …in a version a bid can use, it is reported, located at the body.
      writeFileSync(f, text);
      const g = path.join(root, 'clauses', 'service-staff.yaml');
      const staff = readFileSync(g, 'utf8');
      const draft = staff.replace(
        /(version: 4\n {4}status: draft\n[\s\S]*?body: \|\n)/,
        '$1      {% if %}\n',
      );
      expect(draft).not.toBe(staff);
      writeFileSync(g, draft);
      expect(() => loadLibrary(root)).toThrow(
        expect.objectContaining({
          diagnostics: [
            expect.objectContaining({
              name: 'ClauseRenderFailed',
              message: expect.stringContaining('条款 service-staff 第 4 版'),
              location: expect.objectContaining({
                file: expect.stringMatching(/service-staff\.yaml$/),
              }),
            }),
          ],
        }),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
