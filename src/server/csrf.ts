// CSRF protection without sessions: a random nonce in an HttpOnly SameSite cookie, and a token
// (HMAC of the nonce under a per-process secret) that every form and fetch must send back.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const COOKIE = 'tk_csrf';

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export function csrf(secret = randomBytes(32)) {
  const sign = (nonce: string) => createHmac('sha256', secret).update(nonce).digest('base64url');
  return {
    /** Sets the cookie if missing and exposes `res.locals.csrfToken` to pages. */
    issue(req: Request, res: Response, next: NextFunction) {
      let nonce = readCookie(req, COOKIE);
      if (!nonce || !/^[A-Za-z0-9_-]{20,64}$/.test(nonce)) {
        nonce = randomBytes(24).toString('base64url');
        res.cookie(COOKIE, nonce, { httpOnly: true, sameSite: 'strict', path: '/' });
      }
      res.locals.csrfToken = sign(nonce);
      next();
    },
    /** Refuses a state-changing request without a matching token: 403. */
    check(req: Request, res: Response, next: NextFunction) {
      const nonce = readCookie(req, COOKIE);
      const body = req.body as Record<string, unknown> | undefined;
      const sent = (req.get('x-csrf-token') ??
        (typeof body?._csrf === 'string' ? body._csrf : '')) as string;
      const want = nonce ? sign(nonce) : '';
      const ok =
        nonce &&
        sent.length === want.length &&
        timingSafeEqual(Buffer.from(sent), Buffer.from(want));
      if (ok) return next();
      res.status(403);
      next(
        Object.assign(new Error('csrf'), {
          status: 403,
          expose: true,
          userMessage: '表单已过期或来源不明（CSRF 校验失败）。请刷新页面后重新提交。',
        }),
      );
    },
  };
}
