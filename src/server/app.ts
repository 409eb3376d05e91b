// The web app for sales and legal: bids edited through a form generated from the schema, a live
// preview, downloads, and a read-only clause browser. Pages are nunjucks templates in web/.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import nunjucks from 'nunjucks';
import { createHash } from 'node:crypto';
import { formatDiagnostic, TenderKitError } from '../diagnostics/diagnostic.js';
import {
  defaultLibrary,
  libraryAt,
  PACKAGE_ROOT,
  resolveVersion,
  STATUS_LABELS,
} from '../library/library.js';
import { diffBodies, redlineDocument } from '../library/redline.js';
import { documentLabels } from '../schema/labels.js';
import { SCHEMA_VERSION, type BidInput, type DocumentId } from '../schema/bid.js';
import { loadBidText } from '../load/bid.js';
import { STYLE as PREVIEW_STYLE, toHtmlFragment } from '../writers/html/index.js';
import { parseFieldPath } from '../load/zod-issues.js';
import { csrf, CsrfError, loadSecret } from './csrf.js';
import { fieldAt, formModel, skeleton } from './form-model.js';
import { formChanges, mergeForm, PICK, type FormBody } from './form-values.js';
import { editYaml, type Change } from './yaml-edit.js';
import { Busy, RenderPool, TimedOut } from './render-pool.js';
import { PreviewQueue, type PreviewQueueOptions } from './preview-queue.js';
import { backLink, clientOf, noStore, ownValueAt, stringsOnly } from './security.js';
import { BidStore, checkId, hash, StoreError } from './store.js';
import type { Workspace } from '../workspace/workspace.js';
import { mergeCompany, workspaceStamp } from './profile.js';
import { storeRoutes } from './store-routes.js';
import { createAuth, type AuthOptions } from '../auth/auth.js';
import { formHandlers } from './form-routes.js';
import { clauseRoutes, libraryBadges } from './clause-routes.js';
import { bidStateRoutes, filteredBids, filterOf, STATE_LABELS } from './bid-states.js';
import { zip } from './zip.js';

export interface AppOptions {
  readonly dataDir: string;
  /**
   * The company workspace `serve` runs in (`--workspace`, or found from the current folder): its
   * library, house style (`workspace.style`) and default company profile (`workspace.companyFile`),
   * used by previews, checks and downloads (in the render workers, which open the workspace
   * themselves) as `tenderkit build` uses them, and by the bid list's status (profile.ts). Absent:
   * the built-in library and style.
   */
  readonly workspace?: Workspace;
  /**
   * The render workers; made here when absent. One given must be set up for the same workspace
   * (`new RenderPool({ workspaceRoot: workspace.root })`): its workers open the workspace.
   */
  readonly pool?: RenderPool;
  /** Request body limit for forms (bytes) and the number of fields. */
  readonly bodyLimit?: string;
  readonly fieldLimit?: number;
  /** Limits of the live preview queue (per client, queue length, cache bytes). */
  readonly previews?: PreviewQueueOptions;
  /**
   * Sign-in, roles and the audit trail (src/auth): on when the data folder has accounts, single
   * sign-on is configured or `required` is set; otherwise the app works without sign-in.
   */
  readonly auth?: AuthOptions;
}

const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples');

let exampleList: { name: string; title: string; description: string }[] | undefined;
/** The shipped example bids, each with the title its first comment line gives (`# 标题：说明`). */
function examples(): { name: string; title: string; description: string }[] {
  return (exampleList ??= readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('-tender.yaml'))
    .sort()
    .map((f) => {
      const name = f.replace(/\.yaml$/, '');
      const first = /^#\s*(.+)$/m.exec(readFileSync(path.join(EXAMPLES_DIR, f), 'utf8'));
      const comment = first?.[1]?.trim() ?? '';
      const cut = comment.search(/[：:]/);
      return {
        name,
        title: (cut > 0 ? comment.slice(0, cut) : comment) || name,
        description: cut > 0 ? comment.slice(cut + 1).trim() : '',
      };
    }));
}

/** A value at a dotted/indexed path of the bid input, for filling the form (own properties only). */
const valueAt = (obj: unknown, p: string) => ownValueAt(obj, parseFieldPath(p));

/** The array at a form path in the bid input; with `create`, missing parents and the array are made. */
function arrayAt(input: BidInput, segs: readonly (string | number)[], create: boolean) {
  let cur: unknown = input;
  for (const [i, seg] of segs.entries()) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur) || !cur[seg] || typeof cur[seg] !== 'object') return undefined;
      cur = cur[seg];
      continue;
    }
    const obj = cur as Record<string, unknown>;
    const next = Object.prototype.hasOwnProperty.call(obj, seg) ? obj[seg] : undefined;
    if (i === segs.length - 1) {
      if (Array.isArray(next)) return next as unknown[];
      if (!create || (next !== undefined && next !== null)) return undefined;
      return (obj[seg] = []) as unknown[];
    }
    if (next === undefined || next === null) {
      if (!create) return undefined;
      obj[seg] = {};
    } else if (typeof next !== 'object') return undefined;
    cur = obj[seg];
  }
  return undefined;
}

/**
 * The buttons that change the form's shape when JavaScript is off: `add:responseTiers[0].milestones`
 * and `remove:responseTiers[0].milestones[2]` for rows; for an ordered list, `add:service.escalation`
 * (appends the item its select names) and `up:`/`down:`/`remove:service.escalation[1]`. Only fields
 * the form model has are changed (so no other key, prototype keys included); for `add`, missing
 * parents are created.
 */
function applyAction(input: BidInput, action: string, body: FormBody): boolean {
  const m = /^(add|remove|up|down):([A-Za-z0-9.[\]]{1,200})$/.exec(action);
  if (!m) return false;
  const verb = m[1]!;
  const segs = parseFieldPath(m[2]!);
  if (segs.some((x) => x === '*' || (typeof x === 'number' && x > 9999))) return false;
  const index = verb === 'add' ? undefined : segs.pop();
  if (verb !== 'add' && typeof index !== 'number') return false;
  const f = segs.length ? fieldAt(formModel(), segs) : undefined;
  if (f?.kind !== 'list' && f?.kind !== 'ordered') return false;
  if (f.kind === 'list' && (verb === 'up' || verb === 'down')) return false;
  const arr = arrayAt(input, segs, verb === 'add');
  if (!arr) return false;
  if (verb === 'add') {
    if (f.kind === 'list') arr.push({});
    else {
      const raw = body[`${m[2]!}.${PICK}`];
      const picked = Array.isArray(raw) ? raw[raw.length - 1] : raw;
      if (!f.options?.some((o) => o.value === picked) || arr.includes(picked)) return false;
      arr.push(picked);
    }
    return true;
  }
  const i = index as number;
  if (i >= arr.length) return false;
  if (verb === 'remove') {
    arr.splice(i, 1);
    return true;
  }
  const j = verb === 'up' ? i - 1 : i + 1;
  if (j < 0 || j >= arr.length) return false;
  [arr[i], arr[j]] = [arr[j], arr[i]];
  return true;
}

/**
 * A stored bid in another format version (a version-1 file) is not edited here: the form knows only
 * version-2 fields and would drop the rest on saving. The loader's message says what to do.
 */
function refuseOtherVersion(
  id: string,
  stored: { text: string; input: BidInput },
  workspace?: Workspace,
): void {
  if ((stored.input as { version?: unknown }).version === SCHEMA_VERSION) return;
  const r = loadBidText(stored.text, `${id}.yaml`, workspace ? { workspace } : {});
  const d = r.ok
    ? undefined
    : r.diagnostics.find((x) => x.name === 'SchemaVersionOld' || x.name === 'SchemaVersionUnknown');
  if (!d) return;
  throw Object.assign(new Error('other format version'), {
    status: 422,
    userMessage: `${d.message}，不能在网页中编辑`,
    details: d.hint ? [d.hint] : [],
  });
}

/**
 * The build's manifest.json as it goes into the zip: the bid and its tender file named by their
 * paths inside the zip (`bid-1a2b.yaml`, `highway-tender.yaml`, beside the manifest), never by a
 * path on the server. A bid saved between the build and reading it for the zip is a conflict (the
 * manifest would not match the file).
 */
function relativeManifest(
  bytes: Uint8Array,
  id: string,
  text: string,
): { data: Buffer; tender?: { name: string; sha256: string } } {
  const m = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
    bid: { file: string; path: string; sha256: string };
    tender: { file: string; path: string; sha256: string } | null;
  };
  if (m.bid.sha256 !== hash(text))
    throw new StoreError('conflict', '该投标刚被修改并保存，请重新下载');
  m.bid = { ...m.bid, file: `${id}.yaml`, path: `${id}.yaml` };
  const tender = m.tender ? path.basename(m.tender.path) : undefined;
  if (m.tender) m.tender = { ...m.tender, file: tender!, path: tender! };
  return {
    data: Buffer.from(`${JSON.stringify(m, null, 2)}\n`, 'utf8'),
    ...(m.tender ? { tender: { name: tender!, sha256: m.tender.sha256 } } : {}),
  };
}

/**
 * What the bid list's statuses depend on besides each file: the workspace's default company profile
 * (its bytes). Saved with the index, so statuses are computed again when it changed meanwhile.
 */
function profileStamp(ws: Workspace | undefined): string {
  if (!ws?.companyFile) return '';
  try {
    return createHash('sha256').update(readFileSync(ws.companyFile)).digest('hex');
  } catch {
    return 'unreadable';
  }
}

function safeFileName(s: string): string {
  // eslint-disable-next-line no-control-regex -- file names must not carry control characters
  return s.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '').slice(0, 80) || '投标文件';
}

export function createApp(opts: AppOptions) {
  const ws = opts.workspace;
  // The bid list's status is the build's: with the company profile merged in.
  const store = new BidStore(opts.dataDir, {
    merge: (data, file) => {
      const m = mergeCompany(data, { ...(ws ? { workspace: ws } : {}), file });
      return { data: m.data, problems: m.problems.length };
    },
    context: profileStamp(ws),
  });
  const pool = opts.pool ?? new RenderPool(ws ? { workspaceRoot: ws.root } : {});
  // Workers open the workspace themselves: a pool made for another folder would build with the
  // wrong library.
  if (pool.workspaceRoot !== ws?.root)
    throw new Error('createApp: the render pool is not set up for this workspace');
  const refuseOther = (id: string, stored: { text: string; input: BidInput }) =>
    refuseOtherVersion(id, stored, ws);
  const tokens = csrf(loadSecret(opts.dataDir));
  // Previews render in the pool's workers; one thread is left for PDF builds where there are two.
  const previews = new PreviewQueue((input) => pool.preview(input), {
    concurrency: Math.max(1, (pool.threadCount ?? 2) - 1),
    ...opts.previews,
  });
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(path.join(PACKAGE_ROOT, 'web', 'templates')),
    {
      autoescape: true,
      throwOnUndefined: false,
    },
  );
  env.addGlobal('documentLabels', documentLabels);
  env.addFilter('lines', (v: unknown) => (Array.isArray(v) ? v.join('\n') : (v ?? '')));
  const page = (res: Response, name: string, ctx: Record<string, unknown>, status = 200) =>
    res
      .status(status)
      .type('html')
      .send(
        env.render(name, {
          ...ctx,
          csrfToken: res.locals.csrfToken as string,
          auth: res.locals.auth as unknown,
        }),
      );
  // Sign-in and roles: the gate before anything reads the request, the rest after the body.
  const auth = createAuth({ dataDir: opts.dataDir, store, page, options: opts.auth });
  store.observer = auth.observer;

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    helmet({
      // Plain-HTTP intranet use: no HSTS and no upgrade of requests to HTTPS.
      strictTransportSecurity: false,
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
    }),
  );
  app.use(
    '/static',
    express.static(path.join(PACKAGE_ROOT, 'web', 'static'), {
      index: false,
      fallthrough: false,
      maxAge: '1h',
    }),
  );
  app.use(noStore);
  app.use(auth.gate);
  // A client with its previews already under way is answered before its body is read.
  app.use('/api/preview', (req, _res, next) => {
    if (req.method !== 'POST' || !previews.atLimit(clientOf(req))) return next();
    previews.refuse('preview limit').catch(next);
  });
  const limit = opts.bodyLimit ?? '300kb';
  app.use(express.urlencoded({ extended: false, limit, parameterLimit: opts.fieldLimit ?? 3000 }));
  app.use(express.json({ limit }));
  app.use(stringsOnly);
  app.use(tokens.issue);
  app.use((req, res, next) => (req.method === 'POST' ? tokens.check(req, res, next) : next()));
  app.use(auth.context);

  // The bid form (form-routes.ts): guided steps, one-pass checks, lossless saves, the 偏离表.
  const form = formHandlers({
    store,
    previews,
    page,
    refuseOtherVersion: refuseOther,
    applyAction,
    workspaceStamp: () => workspaceStamp(ws),
  });
  const renderForm = form.renderForm;

  app.get('/', (_req, res) => res.redirect(303, '/bids'));
  app.get('/favicon.ico', (_req, res) => res.status(204).end());

  app.get('/bids', async (req, res) => {
    const q = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : '');
    const filter = filterOf(req.query);
    page(res, 'bids.njk', {
      bids: filteredBids(res, auth.visibleBids(res, await store.list()), filter),
      filter,
      stateLabels: STATE_LABELS,
      examples: examples(),
      deleted: /^[0-9A-Za-z._-]{1,120}$/.test(q('deleted')) ? q('deleted') : '',
      restored: /^[a-z0-9][a-z0-9-]{0,63}$/.test(q('restored')) ? q('restored') : '',
    });
  });

  app.post('/bids/new', (req, res) => form.newBid(req, res, () => skeleton() as BidInput));
  app.get('/bids/:id', form.getBid);
  app.post('/bids/:id', form.postBid);

  app.post('/bids/:id/duplicate', async (req, res) => {
    const bid = await store.read(checkId(req.params.id));
    refuseOther(bid.id, bid);
    const body = req.body as FormBody;
    const id = store.newId();
    // From the editor, the copy takes the edits on screen; from the list, the saved file. Either
    // way the stored text is edited, not rewritten (comments, money and unknown keys stay).
    const fromForm = Object.keys(body).some((k) => k.startsWith('tenderee.'));
    const changes: Change[] = fromForm
      ? formChanges(formModel(), structuredClone(bid.input), body)
      : [];
    // The bid's own tender file goes with the copy under the copy's name: deleting or editing
    // the original must not take the copy's 偏离表 with it.
    const link = ownValueAt(bid.input, ['tender', 'file']);
    if (link === `${bid.id}-tender.yaml`) {
      const tender = await store.readTender(link);
      if (tender !== undefined) {
        await store.writeTender(`${id}-tender.yaml`, tender);
        changes.push({ kind: 'set', path: ['tender', 'file'], value: `${id}-tender.yaml` });
      }
    }
    await store.saveText(id, editYaml(bid.text, changes), null);
    res.redirect(303, `/bids/${id}`);
  });

  storeRoutes(app, { store, page, env });

  app.post('/api/preview', form.previewJson);

  const build = async (id: string, formats: ('docx' | 'pdf')[], only?: DocumentId[]) => {
    if (pool.saturated) throw new Busy('render queue full'); // refuse before any file work
    const file = store.file(id);
    await store.read(id); // 404 if absent
    const r = await pool.build(file, `${id}.yaml`, formats, only);
    if (r.problems.length) {
      throw Object.assign(new Error('invalid bid'), {
        status: 422,
        userMessage: '保存的投标参数还有问题，不能生成文件：',
        details: r.problems,
      });
    }
    return r.files;
  };

  app.get('/bids/:id/download/:doc.:fmt', async (req, res) => {
    const id = checkId(req.params.id);
    const fmt = req.params.fmt;
    const doc = req.params.doc;
    if ((fmt !== 'docx' && fmt !== 'pdf') || !(doc in documentLabels))
      throw Object.assign(new Error('nf'), { status: 404 });
    const files = await build(id, [fmt], [doc as DocumentId]);
    const f = files.find((x) => x.documentId === doc && x.format === fmt);
    if (!f)
      throw Object.assign(new Error('nf'), {
        status: 404,
        userMessage: '该投标没有选择生成这份文件。',
      });
    res.attachment(f.fileName);
    res.type(
      fmt === 'pdf'
        ? 'application/pdf'
        : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    res.send(Buffer.from(f.bytes));
  });

  app.get('/bids/:id/download.zip', async (req, res) => {
    const id = checkId(req.params.id);
    const bid = await store.read(id);
    const files = await build(id, ['docx', 'pdf']);
    // Zip entries carry the signing date (zip cannot store dates before 1980), so equal input gives equal bytes.
    const signed = new Date(`${String(valueAt(bid.input, 'signature.date') ?? '')}T00:00:00Z`);
    const mtime =
      Number.isNaN(signed.getTime()) || signed.getUTCFullYear() < 1980
        ? new Date('1980-01-01T00:00:00Z')
        : signed;
    let tender: { name: string; sha256: string } | undefined;
    const entries = files.map((f) => {
      if (f.documentId !== 'manifest') return { name: f.fileName, data: f.bytes };
      const m = relativeManifest(f.bytes, id, bid.text);
      tender = m.tender;
      return { name: f.fileName, data: m.data };
    });
    entries.push({ name: `${id}.yaml`, data: Buffer.from(bid.text, 'utf8') });
    // The tender file the 偏离表 was built from, beside the bid as its link expects.
    const tenderText = tender && (await store.readTender(tender.name));
    if (tender && tenderText !== undefined && hash(tenderText) === tender.sha256)
      entries.push({ name: tender.name, data: Buffer.from(tenderText, 'utf8') });
    const archive = zip(entries, mtime);
    res.attachment(
      `${safeFileName(String(valueAt(bid.input, 'project.name') ?? id))}-售后服务文件.zip`,
    );
    res.type('application/zip').send(archive);
  });

  // ── Clause browser (read-only): the workspace's library, loaded again when a file changes ──
  const library = () => (ws ? libraryAt(ws.libraryRoot) : defaultLibrary());
  app.get('/clauses', async (_req, res) => {
    const badges = await libraryBadges(store, library(), ws);
    const clauses = [...library().clauses.values()].map((c) => {
      const r = resolveVersion(c);
      return {
        id: c.clause.id,
        title: c.clause.title,
        description: c.clause.description,
        current: r.ok ? r.version.version : null,
        versions: c.clause.versions,
      };
    });
    page(res, 'clauses.njk', {
      clauses,
      statusLabels: STATUS_LABELS,
      ...badges,
      editable: Boolean(ws),
    });
  });

  const clauseOr404 = (id: string) => {
    const c = library().clauses.get(id);
    if (!c) throw Object.assign(new Error('nf'), { status: 404, userMessage: '没有这个条款。' });
    return c;
  };
  const versionOr404 = (c: ReturnType<typeof clauseOr404>, raw: unknown) => {
    const v = c.clause.versions.find((x) => String(x.version) === String(raw));
    if (!v) throw Object.assign(new Error('nf'), { status: 404, userMessage: '没有这个版本。' });
    return v;
  };

  app.get('/clauses/:id', (req, res) => {
    const c = clauseOr404(req.params.id);
    const r = resolveVersion(c);
    const v =
      req.query.v !== undefined
        ? versionOr404(c, req.query.v)
        : r.ok
          ? r.version
          : c.clause.versions[c.clause.versions.length - 1]!;
    const older = c.clause.versions.filter((x) => x.version < v.version).pop();
    page(res, 'clause.njk', {
      clause: c.clause,
      version: v,
      statusLabels: STATUS_LABELS,
      older,
      current: r.ok ? r.version.version : null,
    });
  });

  app.get('/clauses/:id/diff', (req, res) => {
    const c = clauseOr404(req.params.id);
    const a = versionOr404(c, req.query.from);
    const b = versionOr404(c, req.query.to);
    const doc = redlineDocument(c.clause, a, b);
    page(res, 'diff.njk', {
      clause: c.clause,
      from: a,
      to: b,
      html: toHtmlFragment(doc),
      previewStyle: PREVIEW_STYLE,
      changes: diffBodies(a.body, b.body)
        .flat()
        .filter((p) => p.kind !== 'same').length,
    });
  });

  bidStateRoutes(app, { auth, store });
  clauseRoutes(app, { page, auth, library, store, ...(ws ? { workspace: ws } : {}) });

  auth.routes(app);

  app.use((_req, _res, next) => next(Object.assign(new Error('nf'), { status: 404 })));

  /**
   * A form save refused for its CSRF token (a form opened before the cookie was lost, say): the
   * form again with the values as typed and a fresh token, so pressing 保存 again is enough.
   */
  const reshowForm = async (req: Request, res: Response): Promise<boolean> => {
    const m = /^\/bids\/([a-z0-9][a-z0-9-]{0,63})$/.exec(req.path);
    const body = (req.body ?? {}) as FormBody;
    if (!m || !Object.keys(body).some((k) => k === 'version' || k.startsWith('tenderee.')))
      return false;
    const id = m[1]!;
    const current = await store.read(id).catch(() => undefined);
    const stored: unknown = current ? structuredClone(current.input) : {};
    await renderForm(res, id, mergeForm(formModel(), stored, body), {
      version:
        typeof body._version === 'string' && /^[0-9a-f]{64}$/.test(body._version)
          ? body._version
          : null,
      dirty: true,
      status: 403,
      notice:
        '页面已过期（服务器重启或浏览器 Cookie 被清除），尚未保存。您填写的内容仍在下方，请再次点击“保存”。',
    });
    return true;
  };

  // Errors: a message for people, never a stack trace or a path.
  app.use(async (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    if (
      err instanceof CsrfError &&
      err.reason === 'token' &&
      req.method === 'POST' &&
      !req.path.startsWith('/api/') &&
      (await reshowForm(req, res).catch(() => false))
    )
      return;
    const e = err as { status?: number; type?: string; userMessage?: string; details?: string[] };
    let status = e.status ?? 500;
    let message = e.userMessage;
    let details = e.details ?? [];
    if (err instanceof StoreError) {
      status = { 'not-found': 404, 'bad-id': 404, conflict: 409, io: 500 }[err.kind];
      message = err.message;
    } else if (err instanceof Busy) {
      status = 503;
      res.set('Retry-After', '5');
      message = '服务器正忙，请稍后再试。';
    } else if (err instanceof TimedOut) {
      status = 503;
      res.set('Retry-After', '5');
      message = '生成文件超时，请稍后再试。';
    } else if (err instanceof TenderKitError) {
      // The workspace's library or settings went wrong after start-up (an approved clause edited
      // in place): nothing is served from it; the located problems say what to fix.
      status = 500;
      message = '工作区的条款库或设置有问题，暂不能使用，请联系管理员修正：';
      details = err.diagnostics.map(formatDiagnostic);
    } else if (e.type === 'entity.too.large') message = '提交的内容过大。';
    else if (e.type === 'entity.parse.failed') message = '提交的内容不是有效的 JSON。';
    else if (e.type === 'parameters.too.many') {
      status = 413;
      message = '提交的字段过多。';
    }
    message ??=
      status === 404
        ? '页面不存在。'
        : status >= 500
          ? '服务器内部错误，请稍后再试。'
          : '请求无效。';
    if (
      status >= 500 &&
      !(err instanceof Busy) &&
      !(err instanceof TimedOut) &&
      !(err instanceof TenderKitError)
    )
      console.error('[tenderkit]', err);
    if (req.path.startsWith('/api/')) return res.status(status).json({ error: message, details });
    page(res, 'error.njk', { status, message, details, back: backLink(req) }, status);
  });

  return { app, store, pool, previews, auth };
}
