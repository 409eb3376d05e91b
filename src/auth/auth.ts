// Sign-in, roles and the audit trail for the web app. `createAuth` returns what app.ts wires in:
// - `gate` (first, before any body is read): finds the session, serves the sign-in pages to
//   everyone and nothing else before sign-in, and checks the route table (routes.ts) — role,
//   ownership, finalised bids — before any handler runs;
// - `context` (after the body and CSRF checks): the checks that need the body (a preview of a
//   stored bid), and the request's user for the store's observer;
// - `routes(app)`: the sign-in, sign-out, 修改密码, single sign-on, admin and 定稿 pages;
// - `observer`: told of every bid the store creates, saves, deletes or restores — records the owner
//   and last editor and writes the audit entry before the answer goes out;
// - `visibleBids`: the bid list as the user may see it.
// With no account in the data folder, no single sign-on configured and sign-in not required (a
// loopback host), all of this stands aside and the app works as it did without accounts.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Express, Request, RequestHandler, Response } from 'express';
import { AUDIT_EVENTS, AuditLog, type AuditEventName, type AuditInput } from '../audit/log.js';
import type { BidStore, BidSummary } from '../server/store.js';
import type { BidEvent } from './bid-events.js';
import { Lockout, type LockoutLimits } from './lockout.js';
import { OIDC_COOKIE, OidcLogin, OidcRefused } from './oidc.js';
import type { OidcSettings } from './oidc-settings.js';
import { Owners, type BidOwnership } from './owners.js';
import { catalogue } from '../diagnostics/catalogue.js';
import { PASSWORDS_DIFFER } from './password-input.js';
import {
  DEFAULT_COST,
  dummyVerify,
  hashPassword,
  MAX_PASSWORD,
  MIN_PASSWORD,
  parseHash,
  passwordProblem,
  verifyPassword,
} from './passwords.js';
import { accessOf, matchRoute, type Match } from './routes.js';
import { SessionStore, type SessionLimits, type SessionUser } from './sessions.js';
import {
  AccountDirectory,
  NAME_RE,
  publicAccount,
  ROLE_LABELS,
  setPassword,
  updateUsers,
  type Account,
  type Role,
} from './users.js';

export const SESSION_COOKIE = 'tk_session';

export interface AuthOptions {
  /** Sign-in even without accounts: the server is reachable from other machines. */
  readonly required?: boolean;
  /** Behind a reverse proxy: the client is the last X-Forwarded-For entry, HTTPS from X-Forwarded-Proto. */
  readonly trustProxy?: boolean;
  /** Single sign-on (the workspace's `auth.oidc`). */
  readonly oidc?: OidcSettings;
  /** The client secret when not in the settings (TENDERKIT_OIDC_CLIENT_SECRET). */
  readonly oidcClientSecret?: string;
  readonly sessions?: SessionLimits;
  readonly lockout?: LockoutLimits;
  /** The clock (tests move it to check timeouts). */
  readonly clock?: () => number;
  /** Where problems worth an operator's attention go. */
  readonly log?: (s: string) => void;
}

type Page = (res: Response, name: string, ctx: Record<string, unknown>, status?: number) => void;

interface RequestContext {
  readonly user?: SessionUser;
  readonly ip: string;
  readonly match?: Match;
}

export interface AuthLocals {
  readonly user: (SessionUser & { roleText: string }) | null;
  readonly nav: readonly { href: string; text: string }[];
  /** Shows the 定稿 button in the bid list. */
  readonly canFinalise: boolean;
}

const httpError = (status: number, userMessage: string) =>
  Object.assign(new Error(userMessage), { status, userMessage, expose: true });

const BID_ROLES: readonly Role[] = ['sales', 'manager', 'legal'];
const SEES_ALL_BIDS: readonly Role[] = ['manager', 'legal'];
/** What users see as the reason for any failed password sign-in (never whether the name exists). */
export const SIGNIN_FAILED = '用户名或密码不正确，或账户已停用。';
export const SIGNIN_LOCKED =
  '该用户名连续登录失败次数过多，已暂时锁定 15 分钟（锁定期间即使密码正确也不能登录），请稍后再试或联系系统管理员。';
const SIGNIN_TOO_FAST = '登录尝试过于频繁，请稍后再试。';
export const CURRENT_PASSWORD_WRONG =
  '当前密码不正确。与登录时输错一同计数：连续 5 次，该用户名将锁定 15 分钟。';

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** A path on this server to go to after signing in (never another site, never the sign-in pages). */
export function safeNext(v: unknown): string {
  if (typeof v !== 'string' || v.length > 500) return '/';
  // eslint-disable-next-line no-control-regex -- a path with control characters is not followed
  if (!/^\/(?![/\\])[^\\\u0000-\u001f\u007f]*$/.test(v)) return '/';
  if (/^\/sign(?:in|out)(?:[/?#]|$)/i.test(v)) return '/';
  return v;
}

/** A small counting semaphore: at most `max` scrypt computations at once, `queue` more waiting. */
function limiter(max: number, queue: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= max) {
      if (waiting.length >= queue) throw httpError(503, '登录请求过多，请稍后再试。');
      await new Promise<void>((r) => waiting.push(r));
    }
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export function createAuth(deps: {
  readonly dataDir: string;
  readonly store: BidStore;
  readonly page: Page;
  readonly options?: AuthOptions;
}) {
  const opts = deps.options ?? {};
  const now = opts.clock ?? Date.now;
  const log = opts.log ?? ((s: string) => process.stderr.write(s));
  const accounts = new AccountDirectory(deps.dataDir, log);
  const sessions = new SessionStore(opts.sessions, now);
  const lockout = new Lockout(opts.lockout, now);
  const audit = new AuditLog(deps.dataDir, () => new Date(now()));
  const als = new AsyncLocalStorage<RequestContext>();
  const hashing = limiter(2, 64);
  // Read at start (a damaged file stops the server rather than losing who owns what).
  const owners = new Owners(deps.dataDir);
  const ownersOf = () => owners;
  const oidc = opts.oidc
    ? new OidcLogin(opts.oidc, opts.oidc.clientSecret ?? opts.oidcClientSecret, now)
    : undefined;

  /** Sign-in is on: accounts exist, single sign-on is set up, or the host demands it. */
  const enabled = () => Boolean(opts.required || oidc || accounts.any);

  const clientIp = (req: Request): string => {
    if (opts.trustProxy) {
      const fwd = req.get('x-forwarded-for');
      const last = fwd?.split(',').pop()?.trim();
      if (last) return last.replace(/^::ffff:/, '').slice(0, 64);
    }
    return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
  };
  const isHttps = (req: Request): boolean =>
    Boolean((req.socket as { encrypted?: boolean }).encrypted) ||
    (opts.trustProxy === true &&
      (req.get('x-forwarded-proto') ?? '').split(',')[0]!.trim().toLowerCase() === 'https');
  const cookieOptions = (req: Request) => ({
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: isHttps(req),
    path: '/',
  });

  const record = (input: Omit<AuditInput, 'via'>): Promise<unknown> =>
    audit.append({ ...input, via: 'web' }).catch((e: unknown) => {
      log(`[tenderkit] 审计日志写入失败：${(e as Error).message}\n`);
      throw httpError(500, '审计日志写入失败，操作已完成但未能记录，请联系系统管理员。');
    });

  /** The session's user as of now: local accounts re-checked against users.yaml. */
  const currentUser = (u: SessionUser): SessionUser | undefined => {
    if (u.source !== 'local') return u;
    const a = accounts.get(u.id);
    if (!a || a.disabled || a.passwordChanged !== u.stamp) return undefined;
    return a.role === u.roles[0] ? u : { ...u, roles: [a.role] };
  };

  const homeOf = (u: SessionUser) =>
    u.roles.some((r) => BID_ROLES.includes(r)) ? '/bids' : '/admin/audit';

  const localsFor = (u: SessionUser | undefined): AuthLocals => {
    if (!u) return { user: null, nav: [], canFinalise: false };
    const nav: { href: string; text: string }[] = [];
    if (u.roles.some((r) => BID_ROLES.includes(r)))
      nav.push({ href: '/bids', text: '投标文件' }, { href: '/clauses', text: '条款库' });
    if (u.roles.includes('manager')) nav.push({ href: '/trash', text: '回收站' });
    if (u.roles.includes('admin'))
      nav.push({ href: '/admin/audit', text: '审计日志' }, { href: '/admin/users', text: '账户' });
    return {
      user: { ...u, roleText: u.roles.map((r) => ROLE_LABELS[r]).join('、') },
      nav,
      canFinalise: u.roles.includes('manager'),
    };
  };

  const owns = (u: SessionUser, id: string | undefined) =>
    id !== undefined && ownersOf().get(id)?.owner === u.id;

  /** The gate: runs before anything else reads the request. */
  const gate: RequestHandler = (req, res, next) => {
    if (!enabled()) return next();
    const sid = readCookie(req, SESSION_COOKIE);
    const touched = sessions.touch(sid);
    let user = touched.session ? currentUser(touched.session.user) : undefined;
    if (touched.session && !user) {
      sessions.destroy(sid);
      touched.expired = true;
    }
    if (touched.expired) res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.locals.auth = localsFor(user);
    res.locals.authUser = user;
    const match = matchRoute(req.method, req.path);
    res.locals.authMatch = match;
    if (match?.rule.public) return next();
    if (!user) {
      if (req.path.startsWith('/api/'))
        return next(httpError(401, touched.expired ? '登录已超时，请重新登录。' : '请先登录。'));
      const back = req.method === 'GET' || req.method === 'HEAD' ? req.originalUrl : '';
      const q = new URLSearchParams();
      if (back && back !== '/') q.set('next', back);
      if (touched.expired) q.set('expired', '1');
      const qs = q.toString();
      return res.redirect(303, `/signin${qs ? `?${qs}` : ''}`);
    }
    user = user as SessionUser;
    if (!match) return next(httpError(404, '页面不存在。'));
    const access = accessOf(match.rule, user.roles);
    if (!access) return next(httpError(403, '您的角色无权执行此操作。'));
    if (match.rule.path === '/' && homeOf(user) !== '/bids') return res.redirect(303, homeOf(user));
    const id = match.params.id;
    if (access === 'own' && id !== undefined && !owns(user, id))
      return next(httpError(403, '这份投标不是您创建的，您无权查看或修改。'));
    if (match.rule.writes && id !== undefined && ownersOf().get(id)?.finalised)
      return next(httpError(409, '该投标已定稿，只能查看和下载；如需修改，请复制为新投标。'));
    if (match.rule.audit) {
      const event = match.rule.audit;
      const u = user;
      const ip = clientIp(req);
      res.on('finish', () => {
        if (res.statusCode !== 200) return;
        const detail: Record<string, string> = {};
        if (match.params.doc) detail.document = `${match.params.doc}.${match.params.fmt ?? ''}`;
        else if (req.path.endsWith('.zip')) detail.document = 'zip';
        void record({ event, actor: u.id, roles: u.roles, ip, target: id ?? null, detail }).catch(
          () => {},
        );
      });
    }
    next();
  };

  /** After the body is parsed: checks that need it, and the user for the store's observer. */
  const context: RequestHandler = (req, res, next) => {
    if (!enabled()) return next();
    const user = res.locals.authUser as SessionUser | undefined;
    const match = res.locals.authMatch as Match | undefined;
    if (user && match?.rule.path === '/api/preview') {
      const raw = (req.body as Record<string, unknown> | undefined)?._id;
      const id = typeof raw === 'string' ? raw : undefined;
      if (id && accessOf(match.rule, user.roles) === 'own' && !owns(user, id))
        return next(httpError(403, '这份投标不是您创建的，您无权查看。'));
    }
    als.run({ user, ip: clientIp(req), match }, () => next());
  };

  /** Ownership and the audit entry for a change the store has just written. */
  const observer = async (e: BidEvent): Promise<void> => {
    if (!enabled()) return;
    const ctx = als.getStore();
    const u = ctx?.user;
    const t = new Date(now()).toISOString();
    const who = u ? { id: u.id, name: u.display } : undefined;
    if (e.kind === 'create')
      await ownersOf().set(e.id, () => ({
        ...(who ? { owner: who.id, ownerName: who.name, lastEditor: who.id } : {}),
        ...(who ? { lastEditorName: who.name } : {}),
        created: t,
        edited: t,
      }));
    else if (e.kind === 'save')
      await ownersOf().set(e.id, (o) => ({
        ...o,
        ...(who ? { lastEditor: who.id, lastEditorName: who.name } : {}),
        edited: t,
      }));
    const route = ctx?.match;
    let event: AuditEventName =
      e.kind === 'create'
        ? 'bid.create'
        : e.kind === 'save'
          ? 'bid.save'
          : e.kind === 'delete'
            ? 'bid.delete'
            : 'bid.restore';
    const detail: Record<string, string> = {};
    if (route?.rule.path === '/bids/:id/history/:version/restore' && e.kind === 'save') {
      event = 'bid.restore-version';
      detail.version = route.params.version ?? '';
    }
    if (route?.rule.path === '/bids/:id/duplicate' && e.kind === 'create')
      detail.from = route.params.id ?? '';
    if ('sha256' in e) detail.sha256 = e.sha256;
    if ('entry' in e) detail.trashEntry = e.entry;
    await record({
      event,
      actor: u?.id ?? null,
      roles: u?.roles ?? [],
      ip: ctx?.ip ?? null,
      target: e.id,
      detail,
    });
  };

  /** The bid list as `res`'s user may see it, each bid with its owner and last editor. */
  const visibleBids = <T extends BidSummary>(
    res: Response,
    bids: readonly T[],
  ): (T & { owner: BidOwnership | null })[] => {
    // With sign-in on, every bid has an owner record (empty when none was kept) for the list.
    const user = res.locals.authUser as SessionUser | undefined;
    if (!enabled() || !user) return bids.map((b) => ({ ...b, owner: null }));
    const all = user.roles.some((r) => SEES_ALL_BIDS.includes(r));
    return bids
      .filter((b) => all || owns(user, b.id))
      .map((b) => ({ ...b, owner: ownersOf().get(b.id) ?? {} }));
  };

  const signinPage = (res: Response, ctx: Record<string, unknown>, status = 200) =>
    deps.page(
      res,
      'signin.njk',
      {
        local: accounts.any,
        sso: Boolean(oidc),
        noAccounts: !accounts.any && !oidc,
        next: '/',
        name: '',
        ...ctx,
      },
      status,
    );

  const startSession = (req: Request, res: Response, user: SessionUser) => {
    sessions.destroy(readCookie(req, SESSION_COOKIE)); // a new id at every sign-in
    res.cookie(SESSION_COOKIE, sessions.create(user), cookieOptions(req));
  };

  /**
   * One password tried for `name` from `ip`: at sign-in, and as the current password on 修改密码
   * (`detail` says which in the audit log). The same scrypt work whether or not the account
   * exists, is disabled or is locked; a failure counts toward the name's lockout and the address's
   * slow-down and is audited, and while the name is locked even the right password fails.
   * `busy`: the address already has its most attempts under way.
   */
  const tryPassword = async (
    name: string,
    password: string,
    ip: string,
    detail: Readonly<Record<string, string>> = {},
  ): Promise<{ outcome: 'busy' | 'failed' | 'locked' } | { outcome: 'ok'; account: Account }> => {
    if (!lockout.enter(ip)) return { outcome: 'busy' };
    try {
      const delay = lockout.delayFor(ip);
      if (delay) await new Promise((r) => setTimeout(r, delay));
      const account = NAME_RE.test(name) ? accounts.get(name) : undefined;
      const cost = parseHash(accounts.list()[0]?.password ?? '')?.cost ?? DEFAULT_COST;
      // The same scrypt work whether or not the account exists, is disabled or is locked.
      const ok = await hashing(() =>
        account ? verifyPassword(password, account.password) : dummyVerify(password, cost),
      );
      const actor = account ? account.name : null;
      const lockedFor = lockout.lockedFor(name);
      if (lockedFor > 0) {
        lockout.fail(name, ip);
        await record({
          event: 'signin.locked',
          actor,
          ip,
          detail: { known: Boolean(account), ...detail },
        });
        return { outcome: 'locked' };
      }
      if (!ok || !account || account.disabled) {
        const locked = lockout.fail(name, ip);
        await record({
          event: 'signin.failed',
          actor,
          ip,
          detail: {
            reason: !account ? 'unknown-account' : !ok ? 'wrong-password' : 'disabled',
            ...detail,
          },
        });
        if (locked)
          await record({
            event: 'lockout',
            actor,
            ip,
            detail: { known: Boolean(account), failures: lockout.maxFailures, ...detail },
          });
        return { outcome: locked ? 'locked' : 'failed' };
      }
      lockout.succeed(name);
      return { outcome: 'ok', account };
    } finally {
      lockout.leave(ip);
    }
  };

  const routes = (app: Express) => {
    app.get('/signin', (req, res) => {
      const user = res.locals.authUser as SessionUser | undefined;
      const next = safeNext(req.query.next);
      if (!enabled()) return res.redirect(303, next);
      if (user) return res.redirect(303, next === '/' ? homeOf(user) : next);
      signinPage(res, {
        next,
        notice:
          req.query.expired === '1'
            ? '登录已超时，请重新登录。'
            : req.query.signedout === '1'
              ? '您已退出登录。'
              : '',
      });
    });

    app.post('/signin', async (req, res) => {
      if (!enabled()) return res.redirect(303, '/');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(body.next);
      const rawName = typeof body.name === 'string' ? body.name : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const name = rawName.trim().toLowerCase().slice(0, 64);
      const ip = clientIp(req);
      const tried = await tryPassword(name, password, ip);
      if (tried.outcome === 'busy') {
        res.set('Retry-After', '5');
        return signinPage(res, { next, name, error: SIGNIN_TOO_FAST }, 429);
      }
      if (tried.outcome !== 'ok')
        return signinPage(
          res,
          {
            next,
            name: rawName.slice(0, 64),
            error: tried.outcome === 'locked' ? SIGNIN_LOCKED : SIGNIN_FAILED,
          },
          401,
        );
      const account = tried.account;
      const user: SessionUser = {
        id: account.name,
        display: account.displayName ?? account.name,
        roles: [account.role],
        source: 'local',
        stamp: account.passwordChanged,
      };
      startSession(req, res, user);
      await record({
        event: 'signin',
        actor: user.id,
        roles: user.roles,
        ip,
        detail: { method: 'password' },
      });
      res.redirect(303, next === '/' ? homeOf(user) : next);
    });

    app.post('/signout', async (req, res) => {
      const user = res.locals.authUser as SessionUser | undefined;
      sessions.destroy(readCookie(req, SESSION_COOKIE));
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      if (user)
        await record({ event: 'signout', actor: user.id, roles: user.roles, ip: clientIp(req) });
      res.redirect(303, enabled() ? '/signin?signedout=1' : '/');
    });

    // ── 修改密码: a signed-in local account changes its own password ──
    const passwordPage = (res: Response, ctx: Record<string, unknown>, status = 200) =>
      deps.page(
        res,
        'account-password.njk',
        { minLength: MIN_PASSWORD, maxLength: MAX_PASSWORD, ...ctx },
        status,
      );
    const localUser = (res: Response): SessionUser => {
      const user = res.locals.authUser as SessionUser | undefined;
      if (!user) throw httpError(404, '页面不存在。'); // without sign-in there is no account
      if (user.source !== 'local')
        throw httpError(404, '单点登录的账户没有本系统的密码，请在单位统一身份认证中修改密码。');
      return user;
    };

    app.get('/account/password', (req, res) => {
      localUser(res);
      const ended = typeof req.query.ended === 'string' ? req.query.ended : '';
      passwordPage(res, {
        done: req.query.done === '1',
        ended: /^\d{1,5}$/.test(ended) ? Number(ended) : 0,
      });
    });

    app.post('/account/password', async (req, res) => {
      const user = localUser(res);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const field = (k: string) => (typeof body[k] === 'string' ? body[k] : '');
      const current = field('current');
      const password = field('password');
      const again = field('again');
      const refuse = (error: string, status: number) => passwordPage(res, { error }, status);
      // The new password's rules first (they need no scrypt and say nothing about the current one).
      if (!current || !password || !again)
        return refuse('请填写当前密码，并把新密码输入两次。', 400);
      if (password !== again)
        return refuse(`${catalogue.PasswordRejected.title}：${PASSWORDS_DIFFER}。`, 400);
      const problem = passwordProblem(password, user.id);
      if (problem) return refuse(`${catalogue.PasswordRejected.title}：${problem}。`, 400);
      // The current password: counted and answered exactly as a sign-in with it would be.
      const ip = clientIp(req);
      const tried = await tryPassword(user.id, current, ip, { during: 'passwd' });
      if (tried.outcome === 'busy') {
        res.set('Retry-After', '5');
        return refuse(SIGNIN_TOO_FAST, 429);
      }
      // Signed in, the account is neither unknown nor disabled (disabling ends its sessions): the
      // only failure left is a wrong current password, said as such. It counts as a sign-in would.
      if (tried.outcome !== 'ok')
        return refuse(tried.outcome === 'locked' ? SIGNIN_LOCKED : CURRENT_PASSWORD_WRONG, 401);
      if (password.normalize('NFC') === current.normalize('NFC'))
        return refuse(`${catalogue.PasswordRejected.title}：新密码不能与当前密码相同。`, 400);
      const hash = await hashing(() => hashPassword(password));
      const verified = tried.account.password;
      // Under the lock: not if an administrator disabled the account or set another password
      // since the current one was checked.
      const written = await setPassword(deps.dataDir, user.id, hash, {
        at: new Date(now()),
        unless: (a) => a.disabled === true || a.password !== verified,
      });
      if (typeof written === 'string')
        return refuse('账户刚被系统管理员修改（停用或重设了密码），您的密码未修改。', 409);
      // This browser's session goes on under a new id (a copy of the old cookie, which may be why
      // the password is changed, is worth nothing now); every other session of the account ends.
      const sid = sessions.reissue(readCookie(req, SESSION_COOKIE), {
        ...user,
        stamp: written.passwordChanged,
      });
      if (sid) res.cookie(SESSION_COOKIE, sid, cookieOptions(req));
      const ended = sessions.destroyUser(user.id, sid);
      await record({
        event: 'account.passwd',
        actor: user.id,
        roles: user.roles,
        ip,
        target: user.id,
        detail: { by: 'self', sessionsEnded: ended },
      });
      res.redirect(303, `/account/password?done=1&ended=${ended}`);
    });

    app.get('/signin/oidc', async (req, res) => {
      if (!oidc) throw httpError(404, '没有配置单点登录。');
      const next = safeNext(req.query.next);
      const redirectUri =
        oidc.settings.redirectUri ??
        `${isHttps(req) ? 'https' : 'http'}://${req.get('host') ?? 'localhost'}/signin/oidc/callback`;
      let started;
      try {
        started = await oidc.start(redirectUri, next);
      } catch (e) {
        log(`[tenderkit] 单点登录：无法连接身份提供方：${(e as Error).message}\n`);
        return signinPage(
          res,
          { next, error: '暂时无法连接单位的统一身份认证，请稍后再试。' },
          502,
        );
      }
      res.cookie(OIDC_COOKIE, started.key, {
        ...cookieOptions(req),
        path: '/signin/oidc',
        maxAge: 10 * 60_000,
      });
      res.redirect(303, started.url.href);
    });

    app.get('/signin/oidc/callback', async (req, res) => {
      if (!oidc) throw httpError(404, '没有配置单点登录。');
      const pending = oidc.take(readCookie(req, OIDC_COOKIE));
      res.clearCookie(OIDC_COOKIE, { ...cookieOptions(req), path: '/signin/oidc' });
      const ip = clientIp(req);
      if (!pending)
        return signinPage(res, { error: '单点登录已过期或不是从本站发起的，请重新登录。' }, 400);
      const url = new URL(pending.redirectUri);
      url.search = new URL(req.originalUrl, 'http://x').search;
      let identity;
      try {
        identity = await oidc.finish(url, pending);
      } catch (e) {
        const message =
          e instanceof OidcRefused
            ? e.userMessage
            : '单点登录未完成（身份提供方的答复无效或已拒绝）。';
        if (!(e instanceof OidcRefused)) log(`[tenderkit] 单点登录失败：${(e as Error).message}\n`);
        await record({
          event: 'signin.failed',
          actor: null,
          ip,
          detail: { method: 'oidc', reason: e instanceof OidcRefused ? 'no-role' : 'refused' },
        });
        return signinPage(res, { error: message }, 403);
      }
      const user: SessionUser = {
        id: identity.id,
        display: identity.display,
        roles: identity.roles,
        source: 'oidc',
      };
      startSession(req, res, user);
      await record({
        event: 'signin',
        actor: user.id,
        roles: user.roles,
        ip,
        detail: { method: 'oidc', subject: identity.subject },
      });
      res.redirect(303, pending.next === '/' ? homeOf(user) : pending.next);
    });

    // ── Administration ──
    app.get('/admin/audit', async (req, res) => {
      const q = (k: string) =>
        typeof req.query[k] === 'string' ? (req.query[k] as string).trim().slice(0, 100) : '';
      const filter = {
        event: Object.prototype.hasOwnProperty.call(AUDIT_EVENTS, q('event')) ? q('event') : '',
        actor: q('actor'),
        target: q('target'),
        from: /^\d{4}-\d{2}-\d{2}$/.test(q('from')) ? q('from') : '',
        to: /^\d{4}-\d{2}-\d{2}$/.test(q('to')) ? q('to') : '',
      };
      const { entries, check } = await audit.read();
      const day = (iso: string) => {
        const d = new Date(iso);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
      };
      const shown = entries
        .filter(
          (e) =>
            (!filter.event || e.event === filter.event) &&
            (!filter.actor || (e.actor ?? '').includes(filter.actor)) &&
            (!filter.target || (e.target ?? '').includes(filter.target)) &&
            (!filter.from || day(e.time) >= filter.from) &&
            (!filter.to || day(e.time) <= filter.to),
        )
        .reverse();
      const per = 100;
      const pages = Math.max(1, Math.ceil(shown.length / per));
      const pageNo = Math.min(pages, Math.max(1, Number(q('page')) || 1));
      const params = new URLSearchParams(
        Object.entries(filter).filter(([, v]) => v) as [string, string][],
      );
      deps.page(res, 'admin-audit.njk', {
        entries: shown.slice((pageNo - 1) * per, pageNo * per).map((e) => ({
          ...e,
          eventLabel: AUDIT_EVENTS[e.event] ?? e.event,
          detailText: Object.entries(e.detail ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' '),
        })),
        total: shown.length,
        count: entries.length,
        check,
        filter,
        events: Object.entries(AUDIT_EVENTS).map(([value, label]) => ({ value, label })),
        page: pageNo,
        pages,
        query: params.toString(),
      });
    });

    app.get('/admin/users', (req, res) => {
      const user = res.locals.authUser as SessionUser;
      deps.page(res, 'admin-users.njk', {
        accounts: accounts.list().map((a) => ({
          ...publicAccount(a),
          locked: lockout.lockedFor(a.name) > 0,
          self: a.name === user.id,
        })),
        done: typeof req.query.done === 'string' ? req.query.done.slice(0, 40) : '',
      });
    });

    const setDisabled = (disabled: boolean) => async (req: Request, res: Response) => {
      const admin = res.locals.authUser as SessionUser;
      const name = String(req.params.name ?? '');
      if (!NAME_RE.test(name) || !accounts.get(name)) throw httpError(404, '没有这个账户。');
      if (disabled && name === admin.id) throw httpError(400, '不能停用自己的账户。');
      await updateUsers(deps.dataDir, (f) => {
        const a = f.users.find((u) => u.name === name);
        if (!a) return undefined;
        if (disabled) a.disabled = true;
        else delete a.disabled;
        return { file: f, result: true };
      });
      if (disabled) sessions.destroyUser(name);
      else lockout.clear(name);
      await record({
        event: disabled ? 'account.disable' : 'account.enable',
        actor: admin.id,
        roles: admin.roles,
        ip: clientIp(req),
        target: name,
      });
      res.redirect(303, `/admin/users?done=${disabled ? 'disabled' : 'enabled'}`);
    };
    app.post('/admin/users/:name/disable', setDisabled(true));
    app.post('/admin/users/:name/enable', setDisabled(false));

    // ── 定稿 ──
    app.post('/bids/:id/finalise', async (req, res) => {
      const user = res.locals.authUser as SessionUser | undefined;
      if (!user) throw httpError(404, '页面不存在。'); // without sign-in there is no one to record
      const id = String(req.params.id);
      const bid = await deps.store.read(id);
      const summary = deps.store.index.get(id);
      if (summary && summary.status !== 'valid')
        throw httpError(422, '这份投标还有问题，改正后才能定稿。');
      const at = new Date(now()).toISOString();
      await ownersOf().set(id, (o) => ({
        ...o,
        finalised: { by: user.id, byName: user.display, at, sha256: bid.version },
      }));
      await record({
        event: 'bid.finalise',
        actor: user.id,
        roles: user.roles,
        ip: clientIp(req),
        target: id,
        detail: { sha256: bid.version },
      });
      res.redirect(303, `/bids?finalised=${encodeURIComponent(id)}`);
    });
  };

  return {
    gate,
    context,
    routes,
    observer,
    visibleBids,
    enabled,
    sessions,
    lockout,
    audit,
    accounts,
    owners: ownersOf,
    clientIp,
  };
}

export type Auth = ReturnType<typeof createAuth>;
