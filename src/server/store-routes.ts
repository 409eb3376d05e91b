// Pages for keeping bids safe: delete to a recoverable trash, the trash with restore, and each
// bid's version history (every save keeps the version it replaced) with restore.
import type { Express, Request, Response } from 'express';
import type nunjucks from 'nunjucks';
import { namesOf } from './bid-index.js';
import type { BidStore } from './store.js';
import { checkId, StoreError, timeOfStamp, TRASH_RE, VERSION_RE } from './store.js';

type Page = (res: Response, name: string, ctx: Record<string, unknown>, status?: number) => void;

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-03-04 09:05` (or with seconds) in the server's time zone; '' for no date. */
export function localTime(iso: unknown, seconds = false): string {
  const d = new Date(String(iso ?? ''));
  if (Number.isNaN(d.getTime())) return '';
  const s = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return seconds ? `${s}:${pad(d.getSeconds())}` : s;
}

/** `12.3 KB` */
export function sizeText(bytes: unknown): string {
  const n = Number(bytes);
  if (!Number.isFinite(n)) return '';
  return n < 1024 ? `${n} 字节` : `${(n / 1024).toFixed(1)} KB`;
}

const notFound = (message: string) => new StoreError('not-found', message);

export function storeRoutes(
  app: Express,
  ctx: { store: BidStore; page: Page; env: nunjucks.Environment },
): void {
  const { store, page, env } = ctx;
  env.addFilter('localTime', localTime);
  env.addFilter('sizeText', sizeText);

  /** 删除 asks first, on a page of its own (works without JavaScript): `confirm=1` deletes. */
  const confirmDelete = async (req: Request, res: Response) => {
    const id = checkId(String(req.params.id));
    const bid = await store.read(id); // 404 for a bid that is not there (or already deleted)
    const { project, tenderee } = namesOf(bid.input);
    page(res, 'delete.njk', {
      id,
      project,
      tenderee,
      tender: (await store.readTender(`${id}-tender.yaml`)) !== undefined,
      versions: (await store.history(id)).length,
    });
  };
  app.get('/bids/:id/delete', confirmDelete);
  app.post('/bids/:id/delete', async (req, res) => {
    if ((req.body as Record<string, unknown>).confirm !== '1') return confirmDelete(req, res);
    const entry = await store.remove(checkId(req.params.id));
    res.redirect(303, `/bids?deleted=${encodeURIComponent(entry)}`);
  });

  app.get('/trash', async (_req, res) => page(res, 'trash.njk', { entries: await store.trash() }));

  app.post('/trash/:entry/restore', async (req, res) => {
    const entry = req.params.entry;
    if (!TRASH_RE.test(entry)) throw notFound('回收站中没有这个投标');
    const bid = await store.restoreFromTrash(entry);
    res.redirect(303, `/bids?restored=${encodeURIComponent(bid.id)}`);
  });

  const versionParam = (req: Request) => {
    const v = String(req.params.version ?? '');
    if (!VERSION_RE.test(v)) throw notFound('没有这个历史版本');
    return v;
  };

  app.get('/bids/:id/history', async (req, res) => {
    const id = checkId(req.params.id);
    const current = await store.read(id);
    const restored = typeof req.query.restored === 'string' ? req.query.restored : '';
    page(res, 'history.njk', {
      id,
      project: store.index.get(id)?.project ?? id,
      current: { version: current.version, modified: store.index.get(id)?.modified ?? '' },
      versions: await store.history(id),
      restored: VERSION_RE.test(restored) ? timeOfStamp(restored).toISOString() : '',
    });
  });

  app.get('/bids/:id/history/:version', async (req, res) => {
    const id = checkId(req.params.id);
    const version = versionParam(req);
    const [text, current] = await Promise.all([store.readVersion(id, version), store.read(id)]);
    const entry = (await store.history(id)).find((v) => v.version === version);
    page(res, 'history-version.njk', {
      id,
      project: store.index.get(id)?.project ?? id,
      version,
      saved: entry?.saved ?? '',
      text,
      same: text === current.text,
      currentVersion: current.version,
    });
  });

  app.post('/bids/:id/history/:version/restore', async (req, res) => {
    const id = checkId(req.params.id);
    const version = versionParam(req);
    const body = req.body as Record<string, unknown>;
    const base =
      typeof body._version === 'string' && /^[0-9a-f]{64}$/.test(body._version)
        ? body._version
        : null;
    await store.restoreVersion(id, version, base);
    res.redirect(303, `/bids/${id}/history?restored=${encodeURIComponent(version)}`);
  });
}
