// The web app for sales and legal: bids edited through a form generated from the schema, a live
// preview, downloads, and a read-only clause browser. Pages are nunjucks templates in web/.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { strToU8, zipSync } from 'fflate';
import helmet from 'helmet';
import nunjucks from 'nunjucks';
import { parse } from 'yaml';
import { defaultLibrary, PACKAGE_ROOT, resolveVersion, STATUS_LABELS } from '../library/library.js';
import { diffBodies, redlineDocument } from '../library/redline.js';
import { documentLabels } from '../schema/labels.js';
import { documentsOf, SCHEMA_VERSION, type BidInput, type DocumentId } from '../schema/bid.js';
import { loadBidText } from '../load/bid.js';
import { STYLE as PREVIEW_STYLE, toHtmlFragment } from '../writers/html/index.js';
import { parseFieldPath, valueAt as valueAtPath } from '../load/zod-issues.js';
import { csrf } from './csrf.js';
import { fieldAt, formModel, indexPlaceholder, skeleton, type ScalarField } from './form-model.js';
import {
  displayText,
  inputFromForm,
  ORIG,
  orderedItems,
  origFor,
  PICK,
  validateInput,
  type FormBody,
} from './form-values.js';
import { Busy, RenderPool, TimedOut } from './render-pool.js';
import { preview } from './preview.js';
import { BidStore, checkId, StoreError } from './store.js';

export interface AppOptions {
  readonly dataDir: string;
  readonly pool?: RenderPool;
  /** Request body limit for forms (bytes) and the number of fields. */
  readonly bodyLimit?: string;
  readonly fieldLimit?: number;
}

const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples');

/** The shipped example bids, each with the title its first comment line gives (`# 标题：说明`). */
function examples(): { name: string; title: string; description: string }[] {
  return readdirSync(EXAMPLES_DIR)
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
    });
}

/** A value at a dotted/indexed path of the bid input, for filling the form. */
const valueAt = (obj: unknown, p: string) => valueAtPath(obj, parseFieldPath(p));

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
    const next = obj[seg];
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
function refuseOtherVersion(id: string, stored: { text: string; input: BidInput }): void {
  if ((stored.input as { version?: unknown }).version === SCHEMA_VERSION) return;
  const r = loadBidText(stored.text, `${id}.yaml`);
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

function safeFileName(s: string): string {
  // eslint-disable-next-line no-control-regex -- file names must not carry control characters
  return s.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '').slice(0, 80) || '投标文件';
}

export function createApp(opts: AppOptions) {
  const store = new BidStore(opts.dataDir);
  const pool = opts.pool ?? new RenderPool();
  const tokens = csrf();
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
      .send(env.render(name, { ...ctx, csrfToken: res.locals.csrfToken as string }));

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
  const limit = opts.bodyLimit ?? '300kb';
  app.use(express.urlencoded({ extended: false, limit, parameterLimit: opts.fieldLimit ?? 3000 }));
  app.use(express.json({ limit }));
  app.use(tokens.issue);
  app.use((req, res, next) => (req.method === 'POST' ? tokens.check(req, res, next) : next()));

  const renderForm = async (
    res: Response,
    id: string | null,
    input: BidInput,
    extra: { version?: string | null; saved?: boolean; status?: number; notice?: string } = {},
  ) => {
    const v = validateInput(input);
    const shown = v.params ? preview(input) : undefined;
    page(
      res,
      'form.njk',
      {
        id,
        model: formModel(),
        val: (p: string) => valueAt(input, p),
        show: (f: ScalarField, p: string) => {
          const v = valueAt(input, p);
          const text = displayText(f, v);
          // A number or date input would blank a value it cannot show: those get a text input.
          const typed =
            text === '' ||
            (f.kind === 'date' ? /^\d{4}-\d{2}-\d{2}$/ : /^-?\d+(\.\d+)?$/).test(text);
          return { text, orig: origFor(f, v), typed };
        },
        rowsOf: (p: string) => {
          const v = valueAt(input, p);
          return Array.isArray(v) ? v : [];
        },
        isOption: (f: ScalarField, v: string) => (f.options ?? []).some((o) => o.value === v),
        ordered: (f: ScalarField, p: string) => orderedItems(f, valueAt(input, p)),
        choices: (f: ScalarField, p: string) => {
          // The saved order first (an unedited save keeps the file's order), then the rest.
          const v = valueAt(input, p);
          const picked = Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
          const opts = f.options ?? [];
          return [
            ...picked.flatMap((x) => opts.filter((o) => o.value === x)),
            ...opts.filter((o) => !picked.includes(o.value)),
          ].map((o) => ({ ...o, checked: picked.includes(o.value) }));
        },
        placeholder: indexPlaceholder,
        ORIG,
        PICK,
        errs: (p: string) => v.errors.byPath[p] ?? [],
        warns: (p: string) => v.warnings.byPath[p] ?? [],
        errorCount: v.errors.count,
        warningCount: v.warnings.count,
        allErrors: Object.entries(v.errors.byPath),
        preview: shown,
        previewStyle: PREVIEW_STYLE,
        version: extra.version ?? '',
        saved: extra.saved,
        notice: extra.notice,
        documents: (v.params ? documentsOf(v.params) : []).map((d) => ({
          id: d,
          title: documentLabels[d],
        })),
        hasTender: Boolean(input.tender),
      },
      extra.status ?? 200,
    );
  };

  app.get('/', (_req, res) => res.redirect(303, '/bids'));
  app.get('/favicon.ico', (_req, res) => res.status(204).end());

  app.get('/bids', async (_req, res) =>
    page(res, 'bids.njk', { bids: await store.list(), examples: examples() }),
  );

  app.post('/bids/new', async (req, res) => {
    const body = req.body as FormBody;
    const example = typeof body.example === 'string' ? body.example : '';
    let input = skeleton() as BidInput;
    if (example) {
      if (!examples().some((e) => e.name === example))
        throw Object.assign(new Error('bad example'), {
          status: 400,
          userMessage: '没有这个示例。',
        });
      input = parse(readFileSync(path.join(EXAMPLES_DIR, `${example}.yaml`), 'utf8')) as BidInput;
      delete input.tender; // the example's tender file is not in the data folder
    }
    const id = store.newId();
    await store.save(id, input, null);
    res.redirect(303, `/bids/${id}`);
  });

  app.get('/bids/:id', async (req, res) => {
    const bid = await store.read(checkId(req.params.id));
    refuseOtherVersion(bid.id, bid);
    await renderForm(res, bid.id, bid.input, {
      version: bid.version,
      saved: req.query.saved === '1',
    });
  });

  app.post('/bids/:id', async (req, res) => {
    const id = checkId(req.params.id);
    const body = req.body as FormBody;
    const version =
      typeof body._version === 'string' && /^[0-9a-f]{64}$/.test(body._version)
        ? body._version
        : null;
    const current = await store.read(id).catch(() => undefined);
    if (current) refuseOtherVersion(id, current);
    const keep = current
      ? { tender: current.input.tender, clauseVersions: current.input.clauseVersions }
      : {};
    const input = inputFromForm(formModel(), body, keep);
    const action = typeof body._action === 'string' ? body._action : 'save';
    if (action !== 'save') {
      applyAction(input, action, body);
      return renderForm(res, id, input, { version });
    }
    try {
      const saved = await store.save(id, input, version);
      res.redirect(303, `/bids/${saved.id}?saved=1`);
    } catch (e) {
      if (e instanceof StoreError && e.kind === 'conflict') {
        return renderForm(res, id, input, {
          version,
          status: 409,
          notice: `${e.message}。您填写的内容仍在下方，可复制后刷新页面查看最新版本，或另存为新投标。`,
        });
      }
      throw e;
    }
  });

  app.post('/bids/:id/duplicate', async (req, res) => {
    const bid = await store.read(checkId(req.params.id));
    const body = req.body as FormBody;
    // From the editor, the copy takes the edits on screen; from the list, the saved file.
    const fromForm = Object.keys(body).some((k) => k.startsWith('tenderee.'));
    const input = fromForm
      ? inputFromForm(formModel(), body, {
          tender: bid.input.tender,
          clauseVersions: bid.input.clauseVersions,
        })
      : bid.input;
    const id = store.newId();
    await store.save(id, input, null);
    res.redirect(303, `/bids/${id}`);
  });

  app.post('/api/preview', async (req, res) => {
    const body = req.body as FormBody;
    const input = inputFromForm(formModel(), body);
    const r = preview(input);
    res.json({
      errors: r.errors.byPath,
      warnings: r.warnings.byPath,
      errorCount: r.errors.count,
      renderProblems: r.renderProblems,
      docs: r.docs,
    });
  });

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
    const files = await build(id, ['docx', 'pdf']);
    const bid = await store.read(id);
    // Zip entries carry the signing date (zip cannot store dates before 1980), so equal input gives equal bytes.
    const signed = new Date(`${String(valueAt(bid.input, 'signature.date') ?? '')}T00:00:00Z`);
    const mtime =
      Number.isNaN(signed.getTime()) || signed.getUTCFullYear() < 1980
        ? new Date('1980-01-01T00:00:00Z')
        : signed;
    const entries = Object.fromEntries(files.map((f) => [f.fileName, [f.bytes, { mtime }]]));
    entries[`${id}.yaml`] = [strToU8(bid.text), { mtime }];
    const zip = zipSync(entries as Parameters<typeof zipSync>[0]);
    res.attachment(
      `${safeFileName(String(valueAt(bid.input, 'project.name') ?? id))}-售后服务文件.zip`,
    );
    res.type('application/zip').send(Buffer.from(zip));
  });

  // ── Clause browser (read-only) ──
  app.get('/clauses', (_req, res) => {
    const clauses = [...defaultLibrary().clauses.values()].map((c) => {
      const r = resolveVersion(c);
      return {
        id: c.clause.id,
        title: c.clause.title,
        description: c.clause.description,
        current: r.ok ? r.version.version : null,
        versions: c.clause.versions,
      };
    });
    page(res, 'clauses.njk', { clauses, statusLabels: STATUS_LABELS });
  });

  const clauseOr404 = (id: string) => {
    const c = defaultLibrary().clauses.get(id);
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

  app.use((_req, _res, next) => next(Object.assign(new Error('nf'), { status: 404 })));

  // Errors: a message for people, never a stack trace or a path.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    const e = err as { status?: number; type?: string; userMessage?: string; details?: string[] };
    let status = e.status ?? 500;
    let message = e.userMessage;
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
    } else if (e.type === 'entity.too.large') message = '提交的内容过大。';
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
    if (status >= 500 && !(err instanceof Busy) && !(err instanceof TimedOut))
      console.error('[tenderkit]', err);
    if (req.path.startsWith('/api/'))
      return res.status(status).json({ error: message, details: e.details ?? [] });
    page(res, 'error.njk', { status, message, details: e.details ?? [] }, status);
  });

  return { app, store, pool };
}
