// Bid states with sign-in on: 草稿 → 待审核 → 已定稿. Sales (or a manager) submits a valid bid for
// review; a manager finalises it (POST /bids/:id/finalise, src/auth/auth.ts) or returns it to
// draft with a comment. A finalised bid is read-only (the route table's `writes` rows answer 409);
// it is changed by duplicating it. The state lives in the ownership file (src/auth/owners.ts) with
// who did what and when; the bid list shows it and filters by it (mine / all / state), without JS.
import type { Express, Request, Response } from 'express';
import type { Auth } from '../auth/auth.js';
import type { BidOwnership } from '../auth/owners.js';
import type { SessionUser } from '../auth/sessions.js';
import type { BidStore } from './store.js';

export type BidState = 'draft' | 'review' | 'final';

export const STATE_LABELS: Readonly<Record<BidState, string>> = {
  draft: '草稿',
  review: '待审核',
  final: '已定稿',
};

export function stateOf(o: BidOwnership | null | undefined): BidState {
  if (o?.finalised) return 'final';
  if (o?.submitted) return 'review';
  return 'draft';
}

const refused = (status: number, userMessage: string) =>
  Object.assign(new Error(userMessage), { status, userMessage, expose: true });

export interface BidFilter {
  /** `mine`: bids the user owns; `all`: every bid the user may see. */
  readonly show: 'mine' | 'all';
  readonly state: BidState | '';
}

/** The list's filter from the query string (unknown values fall back to the defaults). */
export function filterOf(query: Request['query']): BidFilter {
  const show = query.show === 'mine' ? 'mine' : 'all';
  const s = typeof query.state === 'string' ? query.state : '';
  return { show, state: s === 'draft' || s === 'review' || s === 'final' ? s : '' };
}

/** The visible bids with their state, filtered. */
export function filteredBids<T extends { id: string; owner: BidOwnership | null }>(
  res: Response,
  bids: readonly T[],
  filter: BidFilter,
): (T & { state: BidState; stateText: string })[] {
  const user = res.locals.authUser as SessionUser | undefined;
  return bids
    .map((b) => {
      const state = stateOf(b.owner);
      return { ...b, state, stateText: STATE_LABELS[state] };
    })
    .filter(
      (b) =>
        (filter.show === 'all' || (user !== undefined && b.owner?.owner === user.id)) &&
        (!filter.state || b.state === filter.state),
    );
}

export function bidStateRoutes(app: Express, deps: { auth: Auth; store: BidStore }): void {
  const { auth, store } = deps;

  // A bid changed while 待审核 goes back to 草稿: what the manager finalises is what was submitted.
  const before = store.observer;
  store.observer = async (e) => {
    await before?.(e);
    if (e.kind !== 'save' || !auth.enabled()) return;
    const submitted = auth.owners().get(e.id)?.submitted;
    if (submitted && submitted.sha256 !== e.sha256)
      await auth.owners().set(e.id, (o) => {
        const { submitted: _s, ...rest } = o;
        void _s;
        return rest;
      });
  };

  const signedIn = (res: Response): SessionUser => {
    const user = res.locals.authUser as SessionUser | undefined;
    if (!user) throw refused(404, '页面不存在。'); // without sign-in there is no one to record
    return user;
  };

  /** 提交审核: a valid draft goes to 待审核. */
  app.post('/bids/:id/submit', async (req, res) => {
    const user = signedIn(res);
    const id = String(req.params.id);
    const bid = await store.read(id);
    const summary = store.index.get(id);
    if (summary && summary.status !== 'valid')
      throw refused(422, '这份投标还有问题，改正后才能提交审核。');
    const before = auth.owners().get(id);
    if (stateOf(before) === 'review') throw refused(409, '这份投标已在待审核状态。');
    const at = new Date().toISOString();
    await auth.owners().set(id, (o) => {
      const { returned: _r, ...rest } = o;
      void _r;
      return { ...rest, submitted: { by: user.id, byName: user.display, at, sha256: bid.version } };
    });
    await auth.audit.append({
      event: 'bid.submit',
      actor: user.id,
      roles: user.roles,
      ip: auth.clientIp(req),
      via: 'web',
      target: id,
      detail: { sha256: bid.version },
    });
    res.redirect(303, `/bids?submitted=${encodeURIComponent(id)}`);
  });

  /** 退回修改: a manager sends a bid under review back to draft, with a comment. */
  app.post('/bids/:id/return', async (req, res) => {
    const user = signedIn(res);
    const id = String(req.params.id);
    await store.read(id); // 404 for a bid that is not there
    const raw = (req.body as Record<string, unknown> | undefined)?.comment;
    const comment = typeof raw === 'string' ? raw.trim() : '';
    if (!comment) throw refused(422, '请填写退回意见。');
    if (comment.length > 500) throw refused(422, '退回意见过长（最多 500 字）。');
    if (stateOf(auth.owners().get(id)) !== 'review')
      throw refused(409, '只有待审核的投标可以退回修改。');
    const at = new Date().toISOString();
    await auth.owners().set(id, (o) => {
      const { submitted: _s, ...rest } = o;
      void _s;
      return { ...rest, returned: { by: user.id, byName: user.display, at, comment } };
    });
    await auth.audit.append({
      event: 'bid.return',
      actor: user.id,
      roles: user.roles,
      ip: auth.clientIp(req),
      via: 'web',
      target: id,
      detail: {},
    });
    res.redirect(303, `/bids?returned=${encodeURIComponent(id)}`);
  });
}
