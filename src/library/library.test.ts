import { describe, expect, it } from 'vitest';
import { defaultLibrary, resolveVersion } from './library.js';

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
    expect(version(resolveVersion(clause('service-staff')))).toBe(3);
    expect(version(resolveVersion(clause('letter-closing')))).toBe(2);
  });

  it('uses the latest draft only when drafts are allowed', () => {
    expect(version(resolveVersion(clause('service-staff'), { allowDrafts: true }))).toBe(4);
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
