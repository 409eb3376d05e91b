// What the bid form page shows: the fields of the form model in steps, every error and warning of
// the one-pass check beside a field that is on the page, a summary in Chinese labels, the preview
// and the downloads. The template (web/templates/form.njk) only lays this out.
import { parseFieldPath, valueAt as valueAtPath } from '../load/zod-issues.js';
import { documentLabels } from '../schema/labels.js';
import type { BidInput } from '../schema/bid.js';
import { STYLE as PREVIEW_STYLE } from '../writers/html/index.js';
import type { FormCheck } from './form-check.js';
import type { Preview } from './preview.js';
import {
  formModel,
  indexPlaceholder,
  nextId,
  pathLabel,
  stepOf,
  steps,
  type Field,
  type GroupField,
  type ScalarField,
} from './form-model.js';
import {
  displayText,
  ORIG,
  orderedItems,
  origFor,
  PICK,
  SHOWN,
  type FormBody,
} from './form-values.js';
import type { TenderForm } from './deviation-form.js';

const valueAt = (obj: unknown, p: string) => valueAtPath(obj, parseFieldPath(p));

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The documents a bid makes as the form stands (its own list, or the default one). */
export function effectiveDocuments(input: unknown): string[] {
  const docs = valueAt(input, 'documents');
  if (Array.isArray(docs)) return docs.filter((d): d is string => typeof d === 'string');
  const out = ['commitment-letter', 'service-plan'];
  if (valueAt(input, 'training') !== undefined) out.push('training-plan');
  if (valueAt(input, 'tender') !== undefined) out.push('deviation-table');
  return out;
}

/**
 * Rows of lists with an id field get one when they have none (a row just added): ids are never
 * typed. Rows that have one keep it, so a saved bid is not changed by being opened.
 */
export function ensureIds(input: unknown, model: GroupField = formModel()): void {
  const walk = (g: GroupField, v: unknown) => {
    if (!isPlain(v)) return;
    for (const f of g.fields) {
      const sub = v[f.key];
      if (f.kind === 'group') walk(f, sub);
      else if (f.kind === 'list' && Array.isArray(sub)) {
        const idField = f.item.fields.find((x) => x.kind === 'id') as ScalarField | undefined;
        for (const row of sub) {
          if (idField && isPlain(row) && (typeof row.id !== 'string' || row.id.trim() === ''))
            row.id = nextId(
              idField.idPrefix ?? 'item',
              sub.map((r) => (isPlain(r) ? r.id : undefined)),
            );
          walk(f.item, row);
        }
      }
    }
  };
  walk(model, input);
}

export interface Slot {
  /** The element a link to this place goes to. */
  readonly anchor: string;
  readonly step: string;
}

/** Every place on the page that shows messages, by field path, for the input as rendered. */
export function slotsOf(input: unknown, model: GroupField = formModel()): Map<string, Slot> {
  const out = new Map<string, Slot>();
  const put = (path: string, anchor: string) => out.set(path, { anchor, step: stepOf(path) });
  const walk = (f: Field, path: string) => {
    if (f.kind === 'group') {
      if (path) put(path, `g-${path}`);
      for (const c of f.fields) walk(c, path ? `${path}.${c.key}` : c.key);
    } else if (f.kind === 'list') {
      put(path, `g-${path}`);
      const rows = valueAt(input, path);
      if (Array.isArray(rows))
        rows.forEach((_, i) => {
          put(`${path}[${i}]`, `g-${path}[${i}]`);
          for (const c of f.item.fields) walk(c, `${path}[${i}].${c.key}`);
        });
    } else {
      put(path, f.kind === 'id' ? `g-${path.replace(/\.id$/, '')}` : `f-${path}`);
      if (f.kind === 'ordered') {
        const v = valueAt(input, path);
        if (Array.isArray(v)) v.forEach((_, i) => put(`${path}[${i}]`, `f-${path}`));
      }
    }
  };
  walk(model, '');
  return out;
}

/** The nearest place on the page for a message about `path` (the path itself, or a parent). */
export function slotFor(path: string, slots: ReadonlyMap<string, Slot>): string {
  let p = path;
  while (p) {
    if (slots.has(p)) return p;
    const up = p.replace(/(\.[^.[\]]+|\[[^\]]*\])$/, '');
    if (up === p) break;
    p = up;
  }
  return '';
}

/** Error messages shown to people: field names in words, no YAML keys. */
export function forForm(message: string): string {
  return message
    .replace(/（(?:来自|出现在)字段 [^）]*）/g, '')
    .replace(/，或写 negotiable: true 表示整体协商确定/, '，或勾选“整体协商确定”')
    .replace(/（(?:within|cases|milestones|label|tender\.file)）/g, '')
    .replace(/ label$/, '');
}

export interface Message {
  readonly text: string;
  /** A required field not filled in yet: shown once the user has tried to save or download. */
  readonly deferred: boolean;
  readonly warning: boolean;
}

export interface SummaryEntry extends Message {
  readonly path: string;
  readonly anchor: string;
  readonly step: string;
  readonly label: string;
}

/** Messages grouped by the place that shows them, and the summary, from one check. */
export function placeMessages(
  check: Pick<FormCheck, 'errors' | 'warnings' | 'missing'>,
  slots: ReadonlyMap<string, Slot>,
  extraSlots: ReadonlyMap<string, Slot> = new Map(),
  labelOf: (path: string) => string = (p) => pathLabel(p),
) {
  const all = new Map([...slots, ...extraSlots]);
  const byPlace: Record<string, Message[]> = {};
  const summary: SummaryEntry[] = [];
  const missing = new Set(check.missing);
  for (const [bag, warning] of [
    [check.errors, false],
    [check.warnings, true],
  ] as const) {
    for (const [path, msgs] of Object.entries(bag)) {
      const place = slotFor(path, all);
      const slot = all.get(place);
      for (const m of msgs) {
        const msg: Message = { text: forForm(m), deferred: missing.has(path), warning };
        (byPlace[place] ??= []).push(msg);
        summary.push({
          ...msg,
          path,
          anchor: slot?.anchor ?? 'general-errors',
          step: slot?.step ?? 'basics',
          label: path ? labelOf(path) : '投标参数',
        });
      }
    }
  }
  return { byPlace, summary };
}

export interface FormPageOptions {
  readonly id: string;
  /** The bid as the form shows it (the stored bid, or the stored bid with the submitted changes). */
  readonly input: BidInput;
  readonly version?: string | null;
  readonly saved?: boolean;
  readonly notice?: string;
  /** The user has tried to save or download: every error is shown, required fields included. */
  readonly checked?: boolean;
  /** The step to show first. */
  readonly step?: string;
  /** The form holds changes not saved yet (downloads give the saved version). */
  readonly dirty?: boolean;
  /** Optional sections the user opened and wants to keep open while empty. */
  readonly open?: readonly string[];
  readonly tender?: TenderForm;
  /** The one-pass check and preview of `input` (preview.ts), with ids already ensured. */
  readonly preview: Preview;
  /** The check could not run (the server was busy): nothing is claimed complete. */
  readonly previewMissing?: boolean;
}

/** The check's messages with the tender rows' own (their fields are not bid fields). */
const asCheck = (p: Preview, tender?: TenderForm) => {
  const errors: Record<string, string[]> = { ...p.errors.byPath };
  for (const [k, v] of Object.entries(tender?.errors ?? {}))
    errors[k] = [...(errors[k] ?? []), ...v];
  const count = Object.values(errors).flat().length;
  return { errors, warnings: p.warnings.byPath, missing: p.missing ?? [], count };
};

/** The template context of the bid form page. */
export function formPage(o: FormPageOptions): Record<string, unknown> {
  const model = formModel();
  const input = o.input;
  const check = asCheck(o.preview, o.tender);
  const slots = slotsOf(input, model);
  const placed = placeMessages(check, slots, o.tender?.slots, (p) =>
    p.startsWith('tender.') && o.tender ? o.tender.labelOf(p) : pathLabel(p),
  );
  const docs = effectiveDocuments(input);
  const all = steps(model);
  const hasMessagesIn = (stepId: string) =>
    placed.summary.some((s) => s.step === stepId && !s.warning);
  const shownSteps = all.map((s) => ({
    ...s,
    visible: !s.document || docs.includes(s.document) || hasMessagesIn(s.id),
    errors: placed.summary.filter((x) => x.step === s.id && !x.warning).length,
    deferredOnly: placed.summary
      .filter((x) => x.step === s.id && !x.warning)
      .every((x) => x.deferred),
  }));
  const current =
    o.step && shownSteps.some((s) => s.id === o.step && s.visible) ? o.step : 'basics';
  const open = new Set(o.open ?? []);
  const messages = (p: string) => placed.byPlace[p] ?? [];
  const hasMessagesWithin = (p: string) =>
    Object.keys(placed.byPlace).some(
      (k) => k === p || k.startsWith(`${p}.`) || k.startsWith(`${p}[`),
    );
  const filled = (v: unknown): boolean =>
    v !== undefined &&
    v !== null &&
    v !== '' &&
    !(Array.isArray(v) && v.length === 0) &&
    !(isPlain(v) && !Object.values(v).some(filled));
  return {
    id: o.id,
    model,
    steps: shownSteps,
    currentStep: current,
    checked: Boolean(o.checked),
    dirty: Boolean(o.dirty),
    val: (p: string) => valueAt(input, p),
    show: (f: ScalarField, p: string) => {
      const v = valueAt(input, p);
      const text = displayText(f, v);
      // A number or date input would blank a value it cannot show: those get a text input.
      const typed =
        text === '' || (f.kind === 'date' ? /^\d{4}-\d{2}-\d{2}$/ : /^-?\d+(\.\d+)?$/).test(text);
      return { text, orig: origFor(f, v), typed };
    },
    rowsOf: (p: string) => {
      const v = valueAt(input, p);
      return Array.isArray(v) ? v : [];
    },
    /** Whether an optional group starts open: it holds something, or a message, or was opened. */
    isOpen: (p: string) =>
      open.has(p) ||
      filled(valueAt(input, p)) ||
      hasMessagesWithin(p) ||
      (p === 'training' && docs.includes('training-plan')),
    isOption: (f: ScalarField, v: string) => (f.options ?? []).some((o) => o.value === v),
    ordered: (f: ScalarField, p: string) => orderedItems(f, valueAt(input, p)),
    choices: (f: ScalarField, p: string) => {
      const v = valueAt(input, p);
      const picked =
        p === 'documents' ? docs : Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
      const opts = f.options ?? [];
      return {
        options: opts.map((o) => ({ ...o, checked: picked.includes(o.value) })),
        shown: JSON.stringify(picked.filter((x) => opts.some((o) => o.value === x))),
      };
    },
    refs: (f: ScalarField, p: string) => {
      const v = valueAt(input, p);
      const picked = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      const source = valueAt(input, f.ref!.source);
      const rows = (Array.isArray(source) ? source : []).filter(isPlain);
      const known = rows
        .filter((r) => typeof r.id === 'string' && r.id)
        .map((r, i) => ({
          value: r.id as string,
          label:
            typeof r[f.ref!.labelKey] === 'string' && r[f.ref!.labelKey]
              ? (r[f.ref!.labelKey] as string)
              : `第 ${i + 1} 项`,
          checked: picked.includes(r.id as string),
          known: true,
        }));
      const unknown = picked
        .filter((x) => !known.some((k) => k.value === x))
        .map((x) => ({ value: x, label: `未定义的编号“${x}”`, checked: true, known: false }));
      return { options: [...known, ...unknown], shown: JSON.stringify(picked) };
    },
    placeholder: indexPlaceholder,
    /** The value the company profile gives a field the bid leaves empty (shown as a hint). */
    fromProfile: (p: string) => {
      const from = o.preview.fromProfile;
      return from && Object.hasOwn(from, p) && valueAt(input, p) === undefined ? from[p] : '';
    },
    ORIG,
    PICK,
    SHOWN,
    msgs: messages,
    hasErrors: (p: string) =>
      messages(p).some((m) => !m.warning && (!m.deferred || Boolean(o.checked))),
    errorCount: check.count,
    warningCount: o.preview.warnings.count,
    summary: placed.summary,
    /** Errors shown now: all once the user has tried to save, else those not about empty fields. */
    shownErrors: placed.summary.filter((m) => !m.warning && (!m.deferred || o.checked)).length,
    general: messages(''),
    preview: o.preview.docs,
    deviations: o.preview.deviations ?? [],
    previewStyle: PREVIEW_STYLE,
    version: o.version ?? '',
    saved: o.saved,
    notice: o.notice,
    // The downloads: as documentsOf builds them, the 偏离表 with them whenever there is a tender.
    documents: [
      ...docs,
      ...(valueAt(input, 'tender') !== undefined && !docs.includes('deviation-table')
        ? ['deviation-table']
        : []),
    ]
      .filter((d): d is keyof typeof documentLabels => Object.hasOwn(documentLabels, d))
      .map((d) => ({ id: d, title: documentLabels[d] })),
    downloadable: check.count === 0 && !o.dirty && !o.previewMissing,
    previewMissing: Boolean(o.previewMissing),
    tender: o.tender,
    fieldChoice: (v: string) => o.tender?.fields.find((f) => f.value === v),
    stepAfter: (id: string, dir: number) => {
      const visible = shownSteps.filter((s) => s.visible);
      const i = visible.findIndex((s) => s.id === id);
      return visible[i + dir];
    },
    openList: [...open].join(','),
    documentIds: docs,
  };
}

/** The JSON a live check answers with (app.js places it as the page does). */
export function checkJson(input: BidInput, preview: Preview, tender?: TenderForm) {
  const check = asCheck(preview, tender);
  const slots = slotsOf(input);
  const placed = placeMessages(check, slots, tender?.slots, (p) =>
    p.startsWith('tender.') && tender ? tender.labelOf(p) : pathLabel(p),
  );
  return {
    byPlace: placed.byPlace,
    summary: placed.summary,
    errorCount: check.count,
    warningCount: preview.warnings.count,
    docs: preview.docs,
    deviations: preview.deviations ?? [],
    documents: effectiveDocuments(input),
  };
}

/** The form parts that say how the page was left (step, sections opened, errors asked for). */
export function pageState(body: FormBody): { step?: string; checked: boolean; open: string[] } {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);
  const step = one(body._step);
  const open = (one(body._open) ?? '').split(',').filter((p) => /^[A-Za-z.[\]0-9]{1,100}$/.test(p));
  return {
    ...(step && /^[a-z]{1,20}$/.test(step) ? { step } : {}),
    checked: one(body._checked) === '1',
    open,
  };
}
