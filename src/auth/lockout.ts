// Guessing passwords is made slow in two ways, both in memory (a restart clears them):
// - per user name: `maxFailures` wrong passwords in a row lock the name for `lockMs`; while locked
//   even the right password is refused. Names without an account are counted the same way, so a
//   lock says nothing about whether an account exists.
// - per source address: after `slowAfter` failures within `lockMs`, every further attempt from that
//   address is answered only after a growing delay, and at most `maxInFlight` attempts per address
//   are under way at once (more get 429), so parallel requests do not bypass the delay.

export interface LockoutLimits {
  readonly maxFailures?: number;
  readonly lockMs?: number;
  readonly slowAfter?: number;
  readonly slowStepMs?: number;
  readonly slowMaxMs?: number;
  readonly maxInFlight?: number;
}

interface NameState {
  failures: number;
  lockedUntil: number;
  last: number;
}

const MAX_TRACKED = 20_000;

export class Lockout {
  readonly maxFailures: number;
  readonly lockMs: number;
  readonly slowAfter: number;
  readonly slowStepMs: number;
  readonly slowMaxMs: number;
  readonly maxInFlight: number;
  private readonly names = new Map<string, NameState>();
  private readonly addresses = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    limits: LockoutLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxFailures = limits.maxFailures ?? 5;
    this.lockMs = limits.lockMs ?? 15 * 60_000;
    this.slowAfter = limits.slowAfter ?? 5;
    this.slowStepMs = limits.slowStepMs ?? 1000;
    this.slowMaxMs = limits.slowMaxMs ?? 10_000;
    this.maxInFlight = limits.maxInFlight ?? 2;
  }

  /** Milliseconds the name stays locked (0: not locked). */
  lockedFor(name: string): number {
    const s = this.names.get(name);
    return s ? Math.max(0, s.lockedUntil - this.now()) : 0;
  }

  /** Counts a wrong password; true when this failure locks the name. */
  fail(name: string, address: string): boolean {
    const t = this.now();
    let s = this.names.get(name);
    if (!s || (s.lockedUntil && s.lockedUntil <= t) || t - s.last > this.lockMs)
      s = { failures: 0, lockedUntil: 0, last: t };
    s.failures++;
    s.last = t;
    let locked = false;
    if (s.failures >= this.maxFailures && s.lockedUntil <= t) {
      s.lockedUntil = t + this.lockMs;
      locked = true;
    }
    this.names.delete(name);
    this.names.set(name, s);
    const times = (this.addresses.get(address) ?? []).filter((x) => t - x < this.lockMs);
    times.push(t);
    this.addresses.delete(address);
    this.addresses.set(address, times.slice(-1000));
    this.trim();
    return locked;
  }

  /** A successful sign-in clears the name's count (not the address's). */
  succeed(name: string): void {
    this.names.delete(name);
  }

  /** The delay before answering an attempt from `address`. */
  delayFor(address: string): number {
    const t = this.now();
    const n = (this.addresses.get(address) ?? []).filter((x) => t - x < this.lockMs).length;
    if (n < this.slowAfter) return 0;
    return Math.min(this.slowStepMs * (n - this.slowAfter + 1), this.slowMaxMs);
  }

  /** Claims an attempt slot for `address`; false when it already has `maxInFlight` under way. */
  enter(address: string): boolean {
    const n = this.inFlight.get(address) ?? 0;
    if (n >= this.maxInFlight) return false;
    this.inFlight.set(address, n + 1);
    return true;
  }

  leave(address: string): void {
    const n = (this.inFlight.get(address) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(address);
    else this.inFlight.set(address, n);
  }

  /** Unlocks a name (an administrator's action). */
  clear(name: string): void {
    this.names.delete(name);
  }

  private trim(): void {
    for (const m of [this.names, this.addresses] as Map<string, unknown>[]) {
      while (m.size > MAX_TRACKED) {
        const k = m.keys().next().value;
        if (k === undefined) break;
        m.delete(k);
      }
    }
  }
}
