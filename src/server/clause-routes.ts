// Clause approval in the browser (legal): propose a new version of a clause with the same checks as
// `clauses new-version`, approve it (sealed by src/library/edit.ts exactly as the CLI does, the
// approver being the signed-in user), reject it, retire a version, and download a .docx redline.
// The same actions as a JSON API under /api/clauses. Only the workspace's library is edited: without
// a workspace, or without sign-in (no name to record), every change is refused.
//
// Reject: a draft is taken out of use with `retireVersion` and the reason `退回：<comment>` (the
// schema keeps no separate rejected state: a rejected draft can never be approved, and a new
// proposal is a new version, as the CLI requires after `clauses retire`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express, Request, Response } from 'express';
import type { AuditEventName } from '../audit/log.js';
import type { Auth } from '../auth/auth.js';
import type { SessionUser } from '../auth/sessions.js';
import { formatDiagnostic, TenderKitError } from '../diagnostics/diagnostic.js';
import {
  approveVersion,
  newVersion,
  retireVersion,
  shippedExamples,
  writableFolder,
} from '../library/edit.js';
import { checkBody } from '../library/lint.js';
import { resolveVersion, STATUS_LABELS, type Library } from '../library/library.js';
import { todayInChina } from '../library/governance.js';
import { loadBidText } from '../load/bid.js';
import { renderDocument } from '../render/document.js';
import type { BidParams } from '../schema/bid.js';
import type { BidStore } from './store.js';
import { diffBodies, redlineDocument, type Piece } from '../library/redline.js';
import { blockLines } from '../ir/text.js';
import type { Workspace } from '../workspace/workspace.js';
import { STYLE as PREVIEW_STYLE, toHtmlFragment } from '../writers/html/index.js';
import { docxWriter } from '../writers/docx/index.js';

type Page = (res: Response, name: string, ctx: Record<string, unknown>, status?: number) => void;

/** A refusal with a message for people (and located details). */
const refused = (status: number, userMessage: string, details: string[] = []) =>
  Object.assign(new Error(userMessage), { status, userMessage, details, expose: true });

const BODY_MAX = 64 * 1024;
const TEXT_MAX = 500;

function text(v: unknown, what: string, required: boolean, max = TEXT_MAX): string | undefined {
  const s = typeof v === 'string' ? v.replace(/\r\n?/g, '\n').trim() : '';
  if (!s) {
    if (required) throw refused(422, `请填写${what}。`);
    return undefined;
  }
  if (s.length > max) throw refused(422, `${what}过长（最多 ${max} 字）。`);
  return s;
}

export interface ClauseRouteDeps {
  readonly page: Page;
  readonly auth: Auth;
  readonly workspace?: Workspace;
  readonly library: () => Library;
  readonly store: BidStore;
}

/** A saved bid's parameters (with the workspace's company profile), or undefined if it is invalid. */
async function savedParams(
  store: BidStore,
  id: string,
  ws: Workspace | undefined,
): Promise<BidParams | undefined> {
  const bid = await store.read(id).catch(() => undefined);
  if (!bid) return undefined;
  const r = loadBidText(bid.text, `${id}.yaml`, ws ? { workspace: ws } : {});
  return r.ok ? r.bid.params : undefined;
}

/**
 * How many saved bids resolve to each clause version (their pins, else the current approved
 * version): `usage.get('warranty-period')?.get(3)`. Bids that do not load count for none.
 */
export async function clauseUsage(
  store: BidStore,
  lib: Library,
  ws: Workspace | undefined,
): Promise<Map<string, Map<number, number>>> {
  const usage = new Map<string, Map<number, number>>();
  for (const b of await store.list()) {
    const params = await savedParams(store, b.id, ws);
    if (!params) continue;
    for (const c of lib.clauses.values()) {
      const r = resolveVersion(c, { pins: params.clauseVersions });
      if (!r.ok) continue;
      const m = usage.get(c.clause.id) ?? new Map<number, number>();
      m.set(r.version.version, (m.get(r.version.version) ?? 0) + 1);
      usage.set(c.clause.id, m);
    }
  }
  return usage;
}

/** The library page's badges: bids per version and review dates passed (server clock, China). */
export async function libraryBadges(
  store: BidStore,
  lib: Library,
  ws: Workspace | undefined,
): Promise<{ usedBy: Record<string, Record<number, number>>; overdue: Record<string, number[]> }> {
  const usage = await clauseUsage(store, lib, ws);
  const today = todayInChina();
  const usedBy: Record<string, Record<number, number>> = {};
  const overdue: Record<string, number[]> = {};
  for (const c of lib.clauses.values()) {
    const id = c.clause.id;
    usedBy[id] = Object.fromEntries(usage.get(id) ?? []);
    overdue[id] = c.clause.versions
      .filter((v) => v.status === 'approved' && v.reviewBy !== undefined && v.reviewBy < today)
      .map((v) => v.version);
  }
  return { usedBy, overdue };
}

export function clauseRoutes(app: Express, deps: ClauseRouteDeps): void {
  const { page, auth, workspace: ws, library, store } = deps;

  /** The workspace's clauses folder and the signed-in user, or a refusal. */
  const editing = (res: Response): { dir: string; user: SessionUser } => {
    if (!ws)
      throw refused(
        409,
        '服务器没有在工作区中运行（serve --workspace），内置条款库只读，不能在网页中修改。',
      );
    const user = res.locals.authUser as SessionUser | undefined;
    if (!auth.enabled() || !user)
      throw refused(403, '修改条款库须先登录：批准人、起草人记录的是登录用户的姓名。');
    return { dir: writableFolder(path.join(ws.libraryRoot, 'clauses'), ws.root), user };
  };

  const clauseOr404 = (id: string) => {
    const c = library().clauses.get(id);
    if (!c) throw refused(404, '没有这个条款。');
    return c;
  };

  const versionNumber = (raw: unknown): number => {
    const s = String(raw);
    if (!/^[1-9][0-9]{0,5}$/.test(s)) throw refused(404, '没有这个版本。');
    return Number(s);
  };

  /** Library errors as a refusal with the located messages (the change was not made). */
  const guarded = <T>(f: () => T, bodyFile?: string, lead = 0): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof TenderKitError)
        throw refused(
          e.diagnostics.some((d) => d.name === 'ClauseNotFound') ? 404 : 422,
          e.diagnostics[0]?.message ?? '操作被拒绝。',
          // A problem located in the body's temporary file is located in the textarea instead
          // (the server's folders are never shown).
          e.diagnostics.map((d) =>
            bodyFile !== undefined && d.location && path.basename(d.location.file) === bodyFile
              ? d.location.line !== undefined
                ? `第 ${d.location.line + lead} 行第 ${d.location.col ?? 1} 列：${d.message}`
                : d.message
              : formatDiagnostic(d),
          ),
        );
      throw e;
    }
  };

  const record = (
    event: AuditEventName,
    req: Request,
    user: SessionUser,
    target: string,
    detail: Record<string, string | number>,
  ) =>
    auth.audit.append({
      event,
      actor: user.id,
      roles: user.roles,
      ip: auth.clientIp(req),
      via: 'web',
      target,
      detail,
    });

  /** The syntax check on save: what `clauses new-version` checks, located in the textarea. */
  const bodyProblems = (id: string, body: string): { line: number; col: number; text: string }[] =>
    checkBody(body, `条款 ${id} 新版本`, { bids: shippedExamples(), render: true }).map((f) => ({
      line: f.line + 1,
      col: f.col + 1,
      text: `第 ${f.line + 1} 行第 ${f.col + 1} 列：${f.message}`,
    }));

  /** Proposes a version; returns its number or the located problems of the body. */
  const propose = async (
    req: Request,
    res: Response,
    id: string,
    fields: Record<string, unknown>,
  ): Promise<{ version: number } | { problems: { line: number; col: number; text: string }[] }> => {
    const { dir, user } = editing(res);
    clauseOr404(id);
    const raw = typeof fields.body === 'string' ? fields.body : '';
    if (raw.length > BODY_MAX) throw refused(413, '条款正文过长。');
    // As `clauses new-version` reads a body file: line ends made `\n`, blank lines around dropped;
    // problems are located in the textarea as typed (`lead` blank lines above the body).
    const lines = raw.replace(/\r\n?/g, '\n').split('\n');
    let lead = 0;
    while (lines.length && !lines[0]!.trim()) {
      lines.shift();
      lead++;
    }
    while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
    if (!lines.length) throw refused(422, '请填写条款正文。');
    const body = lines.join('\n');
    const note = text(fields.note, '修订说明', true);
    const problems = bodyProblems(id, `${body}\n`).map((p) => ({
      ...p,
      line: p.line + lead,
      text: p.text.replace(/^第 \d+ 行/, `第 ${p.line + lead} 行`),
    }));
    if (problems.length) return { problems };
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-clause-'));
    try {
      const file = path.join(tmp, 'body.md');
      writeFileSync(file, `${body}\n`, { mode: 0o600 });
      const r = guarded(
        () => newVersion(dir, id, { bodyFile: file, author: user.display, note }),
        'body.md',
        lead,
      );
      await record('clause.propose', req, user, id, { version: r.version });
      return { version: r.version };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };

  const approve = async (req: Request, res: Response, id: string, n: number, note?: string) => {
    const { dir, user } = editing(res);
    const r = guarded(() =>
      approveVersion(dir, id, n, { by: user.display, ...(note ? { note } : {}) }),
    );
    await record('clause.approve', req, user, id, { version: n, bodySha256: r.bodySha256 });
    return r;
  };

  const reject = async (req: Request, res: Response, id: string, n: number, comment: string) => {
    const { dir, user } = editing(res);
    const v = clauseOr404(id).clause.versions.find((x) => x.version === n);
    if (!v) throw refused(404, '没有这个版本。');
    if (v.status !== 'draft')
      throw refused(422, `条款“${id}”第 ${n} 版${STATUS_LABELS[v.status]}，只有草稿可以退回`);
    const r = guarded(() => retireVersion(dir, id, n, { reason: `退回：${comment}` }));
    await record('clause.reject', req, user, id, { version: n });
    return r;
  };

  const retire = async (req: Request, res: Response, id: string, n: number, reason: string) => {
    const { dir, user } = editing(res);
    const r = guarded(() => retireVersion(dir, id, n, { reason }));
    await record('clause.retire', req, user, id, { version: n });
    return r;
  };

  const fields = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

  // ── Pages (work without JavaScript) ──
  const proposePage = (
    res: Response,
    id: string,
    ctx: { body?: string; note?: string; problems?: unknown[] },
    status = 200,
  ) => {
    const c = clauseOr404(id);
    const last = c.clause.versions[c.clause.versions.length - 1]!;
    page(
      res,
      'clause-propose.njk',
      {
        clause: c.clause,
        body: ctx.body ?? last.body,
        note: ctx.note ?? '',
        problems: ctx.problems ?? [],
        editable: Boolean(ws),
      },
      status,
    );
  };

  app.get('/clauses/:id/propose', (req, res) => proposePage(res, req.params.id, {}));

  app.post('/clauses/:id/propose', async (req, res) => {
    const id = req.params.id;
    const f = fields(req);
    // Every refusal of the text (checks, an unchanged body, a missing note) is shown beside the
    // textarea with what was typed; refusals of the user or the server go to the error page.
    const r = await propose(req, res, id, f).catch((e: unknown) => {
      const x = e as { status?: number; userMessage?: string; details?: string[] };
      if (x.status !== 422) throw e;
      const details = x.details?.length ? x.details : [x.userMessage ?? ''];
      return { problems: details.map((t) => ({ line: 0, col: 0, text: t })) };
    });
    if ('problems' in r)
      return proposePage(
        res,
        id,
        { body: String(f.body ?? ''), note: String(f.note ?? ''), problems: r.problems },
        422,
      );
    res.redirect(303, `/clauses/${encodeURIComponent(id)}?v=${r.version}`);
  });

  app.post('/clauses/:id/versions/:n/approve', async (req, res) => {
    const n = versionNumber(req.params.n);
    await approve(req, res, req.params.id, n, text(fields(req).comment, '批准意见', false));
    res.redirect(303, `/clauses/${encodeURIComponent(req.params.id)}?v=${n}`);
  });

  app.post('/clauses/:id/versions/:n/reject', async (req, res) => {
    editing(res);
    const n = versionNumber(req.params.n);
    await reject(req, res, req.params.id, n, text(fields(req).comment, '退回理由', true)!);
    res.redirect(303, `/clauses/${encodeURIComponent(req.params.id)}?v=${n}`);
  });

  app.post('/clauses/:id/versions/:n/retire', async (req, res) => {
    editing(res);
    const n = versionNumber(req.params.n);
    await retire(req, res, req.params.id, n, text(fields(req).reason, '停用理由', true)!);
    res.redirect(303, `/clauses/${encodeURIComponent(req.params.id)}?v=${n}`);
  });

  /** The redline of version n against the one before it (or `?from=`), as .docx with w:ins/w:del. */
  app.get('/clauses/:id/versions/:n/redline.docx', async (req, res) => {
    const c = clauseOr404(req.params.id);
    const n = versionNumber(req.params.n);
    const b = c.clause.versions.find((v) => v.version === n);
    if (!b) throw refused(404, '没有这个版本。');
    const a =
      req.query.from !== undefined
        ? c.clause.versions.find((v) => String(v.version) === String(req.query.from))
        : c.clause.versions.filter((v) => v.version < n).pop();
    if (!a) throw refused(404, '没有可对照的较早版本。');
    const bytes = await docxWriter.write(redlineDocument(c.clause, a, b));
    res.attachment(`${c.clause.id}-v${a.version}-v${n}-修订对照.docx`);
    res
      .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .send(Buffer.from(bytes));
  });

  /** The redline of a draft against its base, as HTML (rendered wording and source changes). */
  app.get('/clauses/:id/versions/:n/review', async (req, res) => {
    const c = clauseOr404(req.params.id);
    const n = versionNumber(req.params.n);
    const b = c.clause.versions.find((v) => v.version === n);
    if (!b) throw refused(404, '没有这个版本。');
    const a =
      c.clause.versions.find((v) => v.version === b.basedOn) ??
      c.clause.versions.filter((v) => v.version < n).pop();
    // The rendered wording against a chosen example or saved bid, the draft pinned (allowDrafts
    // only here): `?against=example:hospital-his` or `?against=<bid id>` (bids the user may read).
    const visible = auth
      .visibleBids(res, await store.list())
      .map((x) => ({ id: x.id, project: x.project }));
    const examples = shippedExamples().map((e) => ({
      name: e.name.replace(/\.yaml$/, ''),
      params: e.bid.params,
    }));
    const against = typeof req.query.against === 'string' ? req.query.against : '';
    let params: BidParams | undefined;
    if (against.startsWith('example:'))
      params = examples.find((e) => `example:${e.name}` === against)?.params;
    else if (against && visible.some((x) => x.id === against))
      params = await savedParams(store, against, ws);
    else if (against) throw refused(404, '没有这份投标，或您无权查看。');
    let preview = '';
    let wording: Piece[][] = [];
    const previewProblems: string[] = [];
    if (params && b.status !== 'retired') {
      const lib = library();
      const p = params;
      const docs = [...lib.templates.entries()]
        .filter(([, t]) => JSON.stringify(t.template.items).includes(`"clause":"${c.clause.id}"`))
        .map(([docId]) => docId);
      const rendered = (version: number) =>
        renderDocument(
          lib,
          { ...p, clauseVersions: { ...p.clauseVersions, [c.clause.id]: version } } as BidParams,
          docs[0]!,
          { allowDrafts: true },
        );
      /** The clause's wording in a rendered document, one paragraph per line of text. */
      const wordingOf = (d: ReturnType<typeof rendered>) => {
        const blocks = d.children.filter((x) => x.type === 'clause' && x.id === c.clause.id);
        return blocks.flatMap((x) => (x.type === 'clause' ? blockLines(x.children) : []));
      };
      try {
        if (!docs[0]) previewProblems.push('没有文档模板用到这个条款。');
        else {
          const doc = rendered(n);
          preview = toHtmlFragment(doc);
          if (a && a.status !== 'retired')
            wording = diffBodies(
              wordingOf(rendered(a.version)).join('\n\n'),
              wordingOf(doc).join('\n\n'),
            );
        }
      } catch (e) {
        if (!(e instanceof TenderKitError)) throw e;
        previewProblems.push(...e.diagnostics.map(formatDiagnostic));
      }
    } else if (against && !params) previewProblems.push('这份投标未通过检查，不能用于预览。');
    page(res, 'clause-review.njk', {
      against,
      bids: visible,
      examples: examples.map((e) => e.name),
      preview,
      previewProblems,
      // Only the paragraphs whose wording changed.
      wording: wording.filter((para) => para.some((x) => x.kind !== 'same')),
      wordingCompared: wording.length > 0,
      clause: c.clause,
      from: a,
      to: b,
      statusLabels: STATUS_LABELS,
      html: a ? toHtmlFragment(redlineDocument(c.clause, a, b)) : '',
      source: a ? diffBodies(a.body, b.body) : [],
      previewStyle: PREVIEW_STYLE,
      editable: Boolean(ws),
    });
  });

  // ── JSON API: the same actions, the same role checks and CSRF/Origin rules ──
  app.post('/api/clauses/:id/versions', async (req, res) => {
    const r = await propose(req, res, req.params.id, fields(req));
    if ('problems' in r)
      return res.status(422).json({
        error: '条款正文未通过检查，未保存',
        problems: r.problems,
        details: r.problems.map((p) => p.text),
      });
    res.status(201).json({ id: req.params.id, version: r.version, status: 'draft' });
  });

  app.post('/api/clauses/:id/versions/:n/approve', async (req, res) => {
    const n = versionNumber(req.params.n);
    const r = await approve(
      req,
      res,
      req.params.id,
      n,
      text(fields(req).comment, '批准意见', false),
    );
    res.json({
      id: req.params.id,
      version: n,
      status: 'approved',
      approvedOn: r.approvedOn,
      bodySha256: r.bodySha256,
    });
  });

  app.post('/api/clauses/:id/versions/:n/reject', async (req, res) => {
    editing(res);
    const n = versionNumber(req.params.n);
    const r = await reject(
      req,
      res,
      req.params.id,
      n,
      text(fields(req).comment, '退回理由', true)!,
    );
    res.json({ id: req.params.id, version: n, status: 'retired', retiredOn: r.retiredOn });
  });

  app.post('/api/clauses/:id/versions/:n/retire', async (req, res) => {
    editing(res);
    const n = versionNumber(req.params.n);
    const r = await retire(req, res, req.params.id, n, text(fields(req).reason, '停用理由', true)!);
    res.json({ id: req.params.id, version: n, status: 'retired', retiredOn: r.retiredOn });
  });
}
