// The default limits: five failures lock a name for 15 minutes; an address is slowed by a second
// per failure past five (at most 10 s); two attempts per address at once.
import { describe, expect, it } from 'vitest';
import { Lockout } from './lockout.js';

describe('lockout defaults', () => {
  it('locks after five failures for 15 minutes, then starts counting again', () => {
    let t = 1_000_000;
    const l = new Lockout({}, () => t);
    for (let i = 1; i <= 4; i++) expect(l.fail('alice', '10.0.0.1')).toBe(false);
    expect(l.lockedFor('alice')).toBe(0);
    expect(l.fail('alice', '10.0.0.1')).toBe(true);
    expect(l.lockedFor('alice')).toBe(15 * 60_000);
    expect(l.fail('alice', '10.0.0.1')).toBe(false); // still locked, not extended
    t += 15 * 60_000;
    expect(l.lockedFor('alice')).toBe(0);
    expect(l.fail('alice', '10.0.0.2')).toBe(false);
    l.succeed('alice');
    for (let i = 1; i <= 4; i++) l.fail('alice', '10.0.0.3');
    expect(l.lockedFor('alice')).toBe(0);
    l.clear('alice');
  });

  it('slows an address by a second per failure past five, at most ten seconds', () => {
    let t = 0;
    const l = new Lockout({}, () => t);
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      delays.push(l.delayFor('10.0.0.9'));
      l.fail(`name-${i}`, '10.0.0.9');
    }
    expect(delays.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(delays.slice(5, 8)).toEqual([1000, 2000, 3000]);
    expect(delays[19]).toBe(10_000);
    expect(l.delayFor('10.0.0.10')).toBe(0);
    t += 15 * 60_000;
    expect(l.delayFor('10.0.0.9')).toBe(0);
  });

  it('lets two attempts per address run at once', () => {
    const l = new Lockout();
    expect(l.enter('a')).toBe(true);
    expect(l.enter('a')).toBe(true);
    expect(l.enter('a')).toBe(false);
    expect(l.enter('b')).toBe(true);
    l.leave('a');
    expect(l.enter('a')).toBe(true);
  });
});
