// CSRF protection without sessions, in two layers:
// - Every POST must come from this origin: a `Sec-Fetch-Site` other than same-origin, or an
//   `Origin` naming another host, is refused (a sibling site on the intranet included).
// - Every POST must carry a token that is an HMAC of the nonce in the HttpOnly SameSite cookie.
//   Nonces are issued by the server only: the cookie carries the nonce and its own HMAC, so a
//   cookie a client (or a sibling origin, by cookie tossing) made up is refused and replaced.
// The secret lives in the data folder (mode 0600): a restart keeps the forms people have open valid.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { ensureFolder } from '../output.js';
import { SECRET_FILE } from './store.js';

const COOKIE = 'tk_csrf';
const NONCE_RE = /^[A-Za-z0-9_-]{32}$/;

/** A POST refused: from another site (`cross-site`) or without a valid token (`token`). */
export class CsrfError extends Error {
  readonly status = 403;
  readonly expose = true;
  constructor(readonly reason: 'cross-site' | 'token') {
    super(`csrf: ${reason}`);
  }
  get userMessage(): string {
    return this.reason === 'cross-site'
      ? '请求来自其他网站，已拒绝（CSRF 防护）。请在本系统的页面中操作。'
      : '页面已过期或来源不明（CSRF 校验失败），未保存。';
  }
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The secret in `<dataDir>/.tk-secret`, created (32 random bytes, mode 0600) if missing. Created
 * by linking a complete temp file into place, so two servers starting at once agree on one secret.
 */
export function loadSecret(dataDir: string): Buffer {
  ensureFolder(dataDir, { name: '数据目录', option: '--data' });
  const file = path.join(dataDir, SECRET_FILE);
  const read = (): Buffer | undefined => {
    try {
      const hex = readFileSync(file, 'utf8').trim();
      if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
      // Readable by the server's user only, even if someone loosened it.
      if ((statSync(file).mode & 0o077) !== 0) {
        const fd = openSync(file, 'r');
        try {
          fchmodSync(fd, 0o600);
        } finally {
          closeSync(fd);
        }
      }
      return Buffer.from(hex, 'hex');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  };
  const existing = read();
  if (existing) return existing;
  const damaged = existsSync(file);
  const tmp = path.join(
    dataDir,
    `.tk-save-secret-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (damaged) rmSync(file, { force: true });
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
  const made = read();
  if (!made) throw new Error('CSRF secret unreadable');
  return made;
}

/** True if the request says it comes from another site (missing headers say nothing). */
export function crossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  // Chromium sends `Origin: null` on a same-origin form post under `Referrer-Policy: no-referrer`.
  if (site === 'same-origin') return false;
  const origin = req.get('origin');
  if (origin === undefined) return false;
  const host = req.get('host');
  if (!host || origin === 'null') return true;
  try {
    const o = new URL(origin);
    return o.host !== new URL(`${o.protocol}//${host}`).host;
  } catch {
    return true;
  }
}

export function csrf(secret: Buffer = randomBytes(32)) {
  const mac = (purpose: string, nonce: string) =>
    createHmac('sha256', secret).update(`${purpose}\0${nonce}`).digest('base64url');
  /** The nonce of a cookie this server issued, or undefined. */
  const nonceOf = (req: Request): string | undefined => {
    const v = readCookie(req, COOKIE) ?? '';
    const dot = v.indexOf('.');
    const nonce = v.slice(0, dot);
    return dot > 0 && NONCE_RE.test(nonce) && same(v.slice(dot + 1), mac('cookie', nonce))
      ? nonce
      : undefined;
  };
  return {
    /** Issues a signed nonce cookie if the request has none, and exposes `res.locals.csrfToken`. */
    issue(req: Request, res: Response, next: NextFunction) {
      let nonce = nonceOf(req);
      if (!nonce) {
        nonce = randomBytes(24).toString('base64url');
        res.cookie(COOKIE, `${nonce}.${mac('cookie', nonce)}`, {
          httpOnly: true,
          sameSite: 'strict',
          path: '/',
        });
      }
      res.locals.csrfToken = mac('form', nonce);
      next();
    },
    /** Refuses a POST from another site, or without the token of the request's cookie: 403. */
    check(req: Request, _res: Response, next: NextFunction) {
      if (crossSite(req)) return next(new CsrfError('cross-site'));
      const nonce = nonceOf(req);
      const body = req.body as Record<string, unknown> | undefined;
      const sent = req.get('x-csrf-token') ?? (typeof body?._csrf === 'string' ? body._csrf : '');
      if (nonce && same(sent, mac('form', nonce))) return next();
      next(new CsrfError('token'));
    },
  };
}
