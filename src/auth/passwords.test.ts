// Password hashes: scrypt with a per-hash salt and the cost stored with it; the dummy check for
// unknown names costs what a real one does; the password rules.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COST,
  dummyVerify,
  hashPassword,
  parseHash,
  passwordProblem,
  verifyPassword,
} from './passwords.js';

const TEST_COST = { ln: 12, r: 8, p: 1 };

describe('password hashes', () => {
  it('verifies the right password only, with a new salt each time and the cost recorded', async () => {
    const a = await hashPassword('correct horse 7', { cost: TEST_COST });
    const b = await hashPassword('correct horse 7', { cost: TEST_COST });
    expect(a).toMatch(/^\$scrypt\$ln=12,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse 7', a)).toBe(true);
    expect(await verifyPassword('correct horse 8', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    expect(a).not.toContain('correct');
  });

  it('uses OWASP-level cost unless a lower one is asked for explicitly', async () => {
    expect(DEFAULT_COST).toEqual({ ln: 17, r: 8, p: 1 });
    const h = await hashPassword('x'.repeat(12));
    expect(parseHash(h)?.cost).toEqual(DEFAULT_COST);
  });

  it('treats the same text in another Unicode form as the same password', async () => {
    const h = await hashPassword('Cafe\u0301-password', { cost: TEST_COST });
    expect(await verifyPassword('Caf\u00e9-password', h)).toBe(true);
  });

  it('refuses hashes it did not write and costs out of bounds (no gigabyte sign-ins)', async () => {
    const h = await hashPassword('abcdefghij1', { cost: TEST_COST });
    expect(await verifyPassword('abcdefghij1', h.replace('ln=12', 'ln=24'))).toBe(false);
    expect(parseHash(h.replace('ln=12', 'ln=21'))).toBeUndefined();
    expect(parseHash(h.replace('r=8', 'r=64'))).toBeUndefined();
    expect(parseHash('$argon2id$v=19$m=65536,t=3,p=4$abc$def')).toBeUndefined();
    expect(await verifyPassword('abcdefghij1', 'plain-text')).toBe(false);
  });

  it('spends as long on a name without account as on a real check', async () => {
    const cost = { ln: 14, r: 8, p: 1 };
    const h = await hashPassword('abcdefghij1', { cost });
    const time = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      for (let i = 0; i < 3; i++) await f();
      return performance.now() - t;
    };
    const real = await time(() => verifyPassword('wrong-password', h));
    const dummy = await time(() => dummyVerify('wrong-password', cost));
    expect(await dummyVerify('abcdefghij1', cost)).toBe(false);
    expect(dummy / real).toBeGreaterThan(0.6);
    expect(dummy / real).toBeLessThan(1.6);
  });

  it('states why a new password is refused', () => {
    expect(passwordProblem('short', 'alice')).toBe('密码太短：至少 10 个字符（现为 5 个）');
    expect(passwordProblem('中文密码也可以用的吧', 'alice')).toBeUndefined();
    expect(passwordProblem('alice-2025-secret', 'alice')).toBe('密码不能包含用户名');
    expect(passwordProblem('aaaaaaaaaaaa', 'bob')).toContain('4 个不同的字符');
    expect(passwordProblem(' padded password ', 'bob')).toContain('空格');
    expect(passwordProblem('x'.repeat(201) + 'abc', 'bob')).toContain('太长');
    expect(passwordProblem('Tender-2025!', 'bob')).toBeUndefined();
  });
});
