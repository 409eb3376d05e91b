// The bid form's requests: open, change (add/remove rows, sections, tender rows), save and check
// live. Saves apply only what the form changed to the stored YAML (yaml-edit.ts), so an
// unchanged save gives the stored file back byte for byte; the tender file sits beside the bid.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, Response } from 'express';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../library/library.js';
import type { BidInput } from '../schema/bid.js';
import {
  tenderAction,
  tenderForm,
  tenderLink,
  tenderSave,
  type TenderBase,
  type TenderForm,
} from './deviation-form.js';
import { fieldAt, formModel, stepOf } from './form-model.js';
import { checkJson, ensureIds, formPage, pageState } from './form-page.js';
import { formChanges, type FormBody } from './form-values.js';
import { previewInput, type Preview } from './preview.js';
import type { PreviewQueue } from './preview-queue.js';
import { Busy, TimedOut } from './render-pool.js';
import { checkAction, clientOf } from './security.js';
import { checkId, StoreError, TENDER_FILE_RE, type BidStore, type StoredBid } from './store.js';
import { applyChanges, editYaml, type Change } from './yaml-edit.js';

const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples');

const one = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) ? (v[v.length - 1] as string) : undefined;
const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (v: unknown, k: string) =>
  isPlain(v) && Object.prototype.hasOwnProperty.call(v, k) ? v[k] : undefined;

export interface FormDeps {
  readonly store: BidStore;
  readonly previews: PreviewQueue;
  readonly page: (
    res: Response,
    name: string,
    ctx: Record<string, unknown>,
    status?: number,
  ) => void;
  /** Throws (422) for a stored bid in another format version. */
  readonly refuseOtherVersion: (id: string, stored: { text: string; input: BidInput }) => void;
  /** The row and order actions of the form model (add/remove/up/down), on the input in place. */
  readonly applyAction: (input: BidInput, action: string, body: FormBody) => boolean;
  /** The workspace's files as they are now ('' without one): previews are cached per stamp. */
  readonly workspaceStamp?: () => string;
}

export interface RenderExtra {
  readonly version?: string | null;
  readonly saved?: boolean;
  readonly status?: number;
  readonly notice?: string;
  readonly tender?: TenderForm;
  readonly step?: string;
  readonly checked?: boolean;
  readonly dirty?: boolean;
  readonly open?: readonly string[];
}

const EMPTY: Preview = {
  errors: { byPath: {}, count: 0 },
  warnings: { byPath: {}, count: 0 },
  renderProblems: [],
  docs: [],
  missing: [],
  deviations: [],
};

export function formHandlers(deps: FormDeps) {
  const { store, previews } = deps;
  const stamp = deps.workspaceStamp ?? (() => '');

  /** The tender file a stored bid links, read from the data folder. */
  const tenderBase = async (input: unknown): Promise<TenderBase> => {
    const file = own(own(input, 'tender'), 'file');
    if (typeof file !== 'string') return {};
    const text = TENDER_FILE_RE.test(file) ? await store.readTender(file) : undefined;
    return { file, ...(text !== undefined ? { text } : {}) };
  };

  const renderForm = async (
    res: Response,
    id: string | null,
    input: BidInput,
    extra: RenderExtra = {},
  ): Promise<void> => {
    const bidId = id ?? 'bid';
    ensureIds(input);
    const tender = extra.tender ?? tenderForm(input, await tenderBase(input));
    const link = tenderLink(tender, bidId, own(input, 'tender'));
    const shown = { ...input } as Record<string, unknown>;
    if (link === undefined) delete shown.tender;
    else shown.tender = link;
    let notice = extra.notice;
    const preview = await previews
      .get(
        previewInput(shown, tender.parsed, id ? store.file(id) : undefined, stamp()),
        clientOf(res.req),
        'page',
      )
      .catch((e: unknown) => {
        if (!(e instanceof Busy) && !(e instanceof TimedOut)) console.error('[tenderkit]', e);
        notice ??= '服务器正忙，检查和预览暂未完成，请稍后刷新页面。';
        return undefined;
      });
    deps.page(
      res,
      'form.njk',
      formPage({
        id: bidId,
        input: shown as BidInput,
        version: extra.version ?? null,
        saved: extra.saved,
        notice,
        checked: extra.checked,
        step: extra.step,
        dirty: extra.dirty,
        open: extra.open,
        tender,
        preview: preview ?? EMPTY,
        previewMissing: !preview,
      }),
      extra.status ?? 200,
    );
  };

  /** A new bid: blank, or an example exactly as shipped, its tender file beside it. */
  const newBid = async (req: Request, res: Response, blank: () => BidInput) => {
    const body = (req.body ?? {}) as FormBody;
    const example = one(body.example) ?? '';
    const id = store.newId();
    if (!example) {
      await store.save(id, blank(), null);
      return res.redirect(303, `/bids/${id}`);
    }
    const names = readdirSync(EXAMPLES_DIR);
    if (
      !/^[a-z0-9-]{1,60}$/.test(example) ||
      !names.includes(`${example}.yaml`) ||
      example.endsWith('-tender')
    )
      throw Object.assign(new Error('bad example'), { status: 400, userMessage: '没有这个示例。' });
    let text = readFileSync(path.join(EXAMPLES_DIR, `${example}.yaml`), 'utf8');
    const file = own(own(parse(text) as unknown, 'tender'), 'file');
    if (typeof file === 'string' && names.includes(file)) {
      const tender = readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
      const there = TENDER_FILE_RE.test(file) ? await store.readTender(file) : undefined;
      if (TENDER_FILE_RE.test(file) && (there === undefined || there === tender)) {
        if (there === undefined) await store.writeTender(file, tender);
      } else {
        // The name is taken by another file: this bid gets its own copy and links it.
        await store.writeTender(`${id}-tender.yaml`, tender);
        text = editYaml(text, [
          { kind: 'set', path: ['tender', 'file'], value: `${id}-tender.yaml` },
        ]);
      }
    }
    await store.saveText(id, text, null);
    res.redirect(303, `/bids/${id}`);
  };

  const getBid = async (req: Request, res: Response) => {
    const bid = await store.read(checkId(String(req.params.id)));
    deps.refuseOtherVersion(bid.id, bid);
    const q = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : '');
    const saved = q('saved') === '1';
    await renderForm(res, bid.id, structuredClone(bid.input), {
      version: bid.version,
      saved,
      checked: saved || q('checked') === '1',
      step: /^[a-z]{1,20}$/.test(q('step')) ? q('step') : undefined,
    });
  };

  const postBid = async (req: Request, res: Response) => {
    const id = checkId(String(req.params.id));
    const body = (req.body ?? {}) as FormBody;
    const version = /^[0-9a-f]{64}$/.test(one(body._version) ?? '') ? one(body._version)! : null;
    const current: StoredBid | undefined = await store.read(id).catch(() => undefined);
    if (current) deps.refuseOtherVersion(id, current);
    const stored: unknown = current ? structuredClone(current.input) : {};
    const model = formModel();
    const changes = formChanges(model, stored, body);
    const input = applyChanges(stored, changes) as BidInput;
    const state = pageState(body);
    const action = one(body._action) ?? 'save';
    let tender = tenderForm(input, await tenderBase(stored), body, action);
    const again = (extra: RenderExtra = {}) =>
      renderForm(res, id, input, {
        version,
        tender,
        dirty: true,
        checked: state.checked,
        step: state.step,
        open: state.open,
        ...extra,
      });

    const save = /^save(?::([a-z]{1,20}))?$/.exec(action);
    if (save) {
      const step = save[1] ?? state.step ?? 'basics';
      const t = tenderSave(tender, id, own(stored, 'tender'));
      const all: Change[] = [...changes, ...t.changes];
      const text = current
        ? editYaml(current.text, all)
        : `# TenderKit 投标参数文件（由网页表单保存）\n${editYaml('', all)}`;
      try {
        if (t.write) await store.writeTender(t.write.name, t.write.text);
        const saved = await store.saveText(id, text, version);
        return res.redirect(303, `/bids/${saved.id}?saved=1&step=${encodeURIComponent(step)}`);
      } catch (e) {
        if (e instanceof StoreError && e.kind === 'conflict')
          return again({
            status: 409,
            notice: `${e.message}。您填写的内容仍在下方，可复制后刷新页面查看最新版本，或另存为新投标。`,
            step,
          });
        throw e;
      }
    }
    if (action === 'tender:load') return again({ step: 'other', open: [...state.open, 'tender'] });
    const changed = tenderAction(tender, action);
    if (changed) {
      tender = changed;
      return again({ step: 'other', open: [...state.open, 'tender'] });
    }
    const clear = /^clear:([A-Za-z]{1,40})$/.exec(action);
    if (clear) {
      // 移除 an optional section: it is left out of the bid (saving writes that).
      const f = fieldAt(model, [clear[1]!]);
      if (f && (f.kind === 'group' ? f.optional : f.kind === 'list' && !f.required))
        delete (input as Record<string, unknown>)[clear[1]!];
      return again({ step: stepOf(clear[1]!) });
    }
    try {
      checkAction(action); // only lists of the form model: 400 otherwise, nothing changed
    } catch (e) {
      const userMessage = (e as { userMessage?: string }).userMessage;
      if (!userMessage) throw e;
      return again({ status: 400, notice: userMessage });
    }
    deps.applyAction(input, action, body);
    const target = /^[a-z]+:([A-Za-z]+)/.exec(action)?.[1] ?? '';
    return again({ step: stepOf(target), open: [...state.open, target] });
  };

  /** The live check: the stored bid with the form's changes, checked and previewed. */
  const previewJson = async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as FormBody;
    const idRaw = one(body._id) ?? '';
    const current = /^[a-z0-9][a-z0-9-]{0,63}$/.test(idRaw)
      ? await store.read(checkId(idRaw)).catch(() => undefined)
      : undefined;
    const stored: unknown = current ? structuredClone(current.input) : {};
    const model = formModel();
    const input = applyChanges(stored, formChanges(model, stored, body)) as Record<string, unknown>;
    ensureIds(input);
    const tender = tenderForm(input, await tenderBase(stored), body);
    const link = tenderLink(tender, current?.id ?? 'bid', own(input, 'tender'));
    if (link === undefined) delete input.tender;
    else input.tender = link;
    const started = performance.now();
    const p = await previews.get(
      previewInput(input, tender.parsed, current ? store.file(current.id) : undefined, stamp()),
      clientOf(req),
      'live',
    );
    res.set('Server-Timing', `preview;dur=${(performance.now() - started).toFixed(1)}`);
    const j = checkJson(input as BidInput, p, tender);
    res.json({
      ...j,
      // The fields of the JSON preview before the guided form (kept for other clients).
      errors: { ...p.errors.byPath, ...tender.errors },
      warnings: p.warnings.byPath,
      renderProblems: p.renderProblems,
      missing: p.missing,
    });
  };

  return { renderForm, newBid, getBid, postBid, previewJson };
}
