// Server-side sessions, in memory: a restart signs everyone out (nothing about a session is ever
// written to disk). The cookie holds 32 random bytes; the store is keyed by their SHA-256, so even
// a heap dump does not give a usable cookie. A session ends after `idleMs` without a request, after
// `absoluteMs` in any case, at sign-out, and when its account is disabled, removed or given a new
// password (checked on every request against users.yaml).
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from './users.js';

export interface SessionUser {
  /** Account name, or `sso:<name>` for single sign-on. */
  readonly id: string;
  /** Shown in pages. */
  readonly display: string;
  readonly roles: readonly Role[];
  readonly source: 'local' | 'oidc';
  /** For local accounts: the account's passwordChanged when the session began. */
  readonly stamp?: string;
}

export interface Session {
  readonly user: SessionUser;
  readonly created: number;
  seen: number;
}

export interface SessionLimits {
  /** Idle timeout (default 30 minutes). */
  readonly idleMs?: number;
  /** Absolute lifetime (default 12 hours). */
  readonly absoluteMs?: number;
  /** Most sessions kept; the least recently used goes first (default 10 000). */
  readonly max?: number;
}

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');
export const SESSION_ID_RE = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  readonly idleMs: number;
  readonly absoluteMs: number;
  private readonly max: number;

  constructor(
    limits: SessionLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.idleMs = limits.idleMs ?? 30 * 60_000;
    this.absoluteMs = limits.absoluteMs ?? 12 * 3600_000;
    this.max = limits.max ?? 10_000;
  }

  /** A new session for `user`; returns the cookie value (the only place the id exists). */
  create(user: SessionUser): string {
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    this.sessions.set(digest(id), { user, created: t, seen: t });
    while (this.sessions.size > this.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return id;
  }

  /**
   * The live session of a cookie value, its last-seen time moved to now; `expired` when there was
   * one that timed out (it is removed).
   */
  touch(id: string | undefined): { session?: Session; expired?: boolean } {
    if (!id || !SESSION_ID_RE.test(id)) return {};
    const key = digest(id);
    const s = this.sessions.get(key);
    if (!s) return {};
    const t = this.now();
    if (t - s.seen > this.idleMs || t - s.created > this.absoluteMs) {
      this.sessions.delete(key);
      return { expired: true };
    }
    s.seen = t;
    // Most recently used last, so the oldest is evicted first.
    this.sessions.delete(key);
    this.sessions.set(key, s);
    return { session: s };
  }

  destroy(id: string | undefined): void {
    if (id && SESSION_ID_RE.test(id)) this.sessions.delete(digest(id));
  }

  /**
   * Ends every session of `userId` (account disabled, password changed), except the one of the
   * cookie value `keep`; returns how many were ended.
   */
  destroyUser(userId: string, keep?: string): number {
    const kept = keep && SESSION_ID_RE.test(keep) ? digest(keep) : undefined;
    let n = 0;
    for (const [k, s] of this.sessions)
      if (s.user.id === userId && k !== kept) {
        this.sessions.delete(k);
        n++;
      }
    return n;
  }

  /**
   * The live session of cookie value `id` moved to a new id, for `user`; returns the new cookie
   * value, or undefined when there is no such session. Its start time is kept, so the absolute
   * lifetime still counts from sign-in.
   */
  reissue(id: string | undefined, user: SessionUser): string | undefined {
    if (!id || !SESSION_ID_RE.test(id)) return undefined;
    const old = this.sessions.get(digest(id));
    if (!old) return undefined;
    this.sessions.delete(digest(id));
    const fresh = randomBytes(32).toString('base64url');
    this.sessions.set(digest(fresh), { user, created: old.created, seen: this.now() });
    return fresh;
  }

  get size(): number {
    return this.sessions.size;
  }
}
