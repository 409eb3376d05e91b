// Form submissions ↔ bid objects. Only fields the form model knows are read, so a hostile body
// cannot add keys; values stay strings where the schema should report a type error.
import { isDeepStrictEqual } from 'node:util';
import { runRules } from '../checks/rules.js';
import { zodIssuesToDiagnostics } from '../load/zod-issues.js';
import type { LoadedYaml } from '../load/yaml-file.js';
import { bidSchema, type BidInput, type BidParams } from '../schema/bid.js';
import { amountText, parseDuration } from '../schema/duration.js';
import type { Field, GroupField, ScalarField } from './form-model.js';
import { applyChanges, changesOf, type Change } from './yaml-edit.js';

export type FormBody = Record<string, string | string[] | undefined>;

/** The hidden input beside a field that holds the value loaded from the file (JSON). */
export const ORIG = '__orig';

/** The select beside an ordered list that names the item its 添加 button appends. */
export const PICK = '__pick';

/** Beside a set of checkboxes: the values shown ticked (JSON); ticking nothing new keeps `ORIG`. */
export const SHOWN = '__shown';

const one = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[v.length - 1] : v;
const many = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const SPLIT = /^\s*工作日\s*(.+?)\s*[、，,;；]\s*节假日\s*(.+?)\s*$/;

/** A duration as shorthand: `2小时` for `{ amount: 2, unit: hour }`; undefined if it has none. */
function durationText(v: unknown, split: boolean): string | undefined {
  if (typeof v === 'string') return v;
  if (!isPlain(v)) return undefined;
  const keys = Object.keys(v).sort().join(',');
  if (keys === 'amount,unit') {
    const d = parseDuration(v);
    return d.ok && d.value.kind === 'amount' ? amountText(d.value.amount, d.value.unit) : undefined;
  }
  if (split && keys === 'holiday,workday') {
    const w = durationText(v.workday, false);
    const h = durationText(v.holiday, false);
    return w !== undefined && h !== undefined ? `工作日${w}、节假日${h}` : undefined;
  }
  return undefined;
}

/**
 * The text an input shows for a value loaded from the file. Values the input cannot show as they
 * are (an object-form duration, a wrong type) are shown as their shorthand or as JSON; the form
 * keeps the loaded value beside it and saves it unchanged unless the text is edited.
 */
export function displayText(f: ScalarField, v: unknown): string {
  if (v === undefined || v === null) return '';
  switch (f.kind) {
    case 'value':
      if (f.valueKind === 'duration') {
        const t = durationText(v, f.split ?? false);
        if (t !== undefined) return t;
      } else if (f.valueKind === 'percent' && typeof v === 'number') return `${v}%`;
      break;
    case 'lines':
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('\n');
      break;
    case 'tristate':
    case 'flag':
      if (typeof v === 'boolean') return String(v);
      break;
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The value a field's submitted text stands for (strings stay strings where the schema should complain). */
export function parseText(f: ScalarField, raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  const s = raw.replace(/\r\n?/g, '\n');
  if (s.trim() === '') return undefined;
  switch (f.kind) {
    case 'tristate':
    case 'flag':
      return s === 'true' ? true : s === 'false' ? false : s;
    case 'constant':
      return s === String(f.constant) ? f.constant : s;
    case 'lines':
      // One item per line: 、，and spaces belong to the item.
      return s
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean);
    case 'integer':
    case 'number': {
      const n = Number(s.trim());
      return Number.isFinite(n) ? n : s;
    }
    case 'money': {
      // A plain number stays a number (as YAML would hold it); `2000.50` or `1,000` stay text.
      const n = Number(s);
      return /^\d+(\.\d+)?$/.test(s) && String(n) === s ? n : s;
    }
    case 'value': {
      const m = f.split ? SPLIT.exec(s) : null;
      return m ? { workday: m[1], holiday: m[2] } : s;
    }
    default:
      return s;
  }
}

/** The loaded value to keep beside a field, as JSON, when its text would not give it back. */
export function origFor(f: ScalarField, v: unknown): string | undefined {
  if (v === undefined || f.kind === 'ordered') return undefined;
  // Checkboxes keep the file's value (its order, or its absence) while the same boxes stay ticked.
  if (f.kind === 'checkboxes' || f.kind === 'refs') return JSON.stringify(v);
  return isDeepStrictEqual(parseText(f, displayText(f, v)), v) ? undefined : JSON.stringify(v);
}

export interface OrderedItem {
  readonly value: string;
  readonly label: string;
  /** False for a value from the file that is not one of the options (the schema reports it). */
  readonly known: boolean;
}

/**
 * The items of an ordered list as the form shows them, in the saved order: a value the options do
 * not know is shown too (and kept on saving), so the user sees what the schema complains about.
 */
export function orderedItems(
  f: ScalarField,
  v: unknown,
): { chosen: OrderedItem[]; options: (OrderedItem & { chosen: boolean })[]; free: number } {
  const values = (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v])
    .map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
    .filter((x, i, all) => x.trim() !== '' && all.indexOf(x) === i);
  const opts = f.options ?? [];
  const chosen = values.map((x) => {
    const o = opts.find((p) => p.value === x);
    return { value: x, label: o?.label ?? x, known: Boolean(o) };
  });
  const options = opts.map((o) => ({ ...o, known: true, chosen: values.includes(o.value) }));
  return { chosen, options, free: options.filter((o) => !o.chosen).length };
}

const sameSet = (a: readonly unknown[], b: readonly unknown[]) =>
  new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

function parseJson(raw: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (raw === undefined) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

function scalar(f: ScalarField, body: FormBody, path: string): unknown {
  const raw = body[path];
  if (f.kind === 'checkboxes' || f.kind === 'refs') {
    const picked = [
      ...new Set(
        many(raw).filter((v) =>
          f.kind === 'refs' ? v.trim() !== '' : f.options?.some((o) => o.value === v),
        ),
      ),
    ];
    const shown = parseJson(one(body[`${path}.${SHOWN}`]));
    if (shown.ok && Array.isArray(shown.value) && sameSet(picked, shown.value)) {
      // The boxes as they were shown: the value from the file, in its order (or absent).
      const orig = parseJson(one(body[`${path}.${ORIG}`]));
      return orig.ok ? orig.value : undefined;
    }
    return picked.length ? picked : undefined;
  }
  if (f.kind === 'ordered') {
    // In the order submitted (the hidden inputs' order on the page). A value that is no option
    // stays, as any text does, for the schema to report beside the field.
    const items = [...new Set(many(raw).filter((v) => v.trim() !== ''))];
    return items.length ? items : undefined;
  }
  const text = one(raw);
  const origJson = one(body[`${path}.${ORIG}`]);
  if (origJson !== undefined && text !== undefined) {
    // Unedited: the value from the file, exactly as it was.
    try {
      const orig: unknown = JSON.parse(origJson);
      if (displayText(f, orig) === text.replace(/\r\n?/g, '\n')) return orig;
    } catch {
      // not JSON: the text decides
    }
  }
  return parseText(f, text);
}

/** Indices of list items present in the body (rows may have been removed in the browser). */
function rowIndices(body: FormBody, listPath: string): number[] {
  const prefix = `${listPath}[`;
  const seen = new Set<number>();
  for (const k of Object.keys(body)) {
    if (!k.startsWith(prefix)) continue;
    const m = /^\[(\d{1,4})\]/.exec(k.slice(listPath.length));
    if (m) seen.add(Number(m[1]));
  }
  return [...seen].sort((a, b) => a - b);
}

function group(
  g: GroupField,
  body: FormBody,
  prefix: string,
  max: { n: number },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of g.fields) {
    const path = prefix ? `${prefix}.${f.key}` : f.key;
    const v = field(f, body, path, max);
    if (v !== undefined) out[f.key] = v;
  }
  return out;
}

function field(f: Field, body: FormBody, path: string, max: { n: number }): unknown {
  if (f.kind === 'group') {
    const g = group(f, body, path, max);
    // An optional group with nothing filled in stays absent: saving never adds empty groups.
    return f.optional && Object.keys(g).length === 0 ? undefined : g;
  }
  if (f.kind === 'list') {
    // Every row is read: a list longer than the schema allows is reported beside it, never cut.
    const rows = rowIndices(body, path).slice(0, Math.max(0, max.n));
    max.n -= rows.length;
    return rows.length ? rows.map((i) => group(f.item, body, `${path}[${i}]`, max)) : undefined;
  }
  return scalar(f, body, path);
}

/** The bid input a form submission describes; `keep` holds fields the form does not edit. */
export function inputFromForm(
  model: GroupField,
  body: FormBody,
  keep: Partial<BidInput> = {},
): BidInput {
  const input = group(model, body, '', { n: 2000 });
  for (const [k, v] of Object.entries(keep)) if (v !== undefined && !(k in input)) input[k] = v;
  return input as BidInput;
}

/**
 * The stored bid with the form's changes applied: only fields of the form model change, so keys
 * the form does not know (the tender link, clause pins, a misspelt key the schema reports) stay.
 */
export function mergeForm(model: GroupField, stored: unknown, body: FormBody): BidInput {
  return applyChanges(stored ?? {}, formChanges(model, stored, body)) as BidInput;
}

/** The changes a form submission makes to the stored bid (fields of the form model only). */
export function formChanges(model: GroupField, stored: unknown, body: FormBody): Change[] {
  return changesOf(model, stored, group(model, body, '', { n: 2000 }));
}

export interface FieldErrors {
  /** Messages by field path (`responseTiers[0].name`); '' for the bid as a whole. */
  readonly byPath: Record<string, string[]>;
  readonly count: number;
}

const noSource: LoadedYaml = {
  file: '表单',
  sha256: '',
  data: undefined,
  locate: () => ({ file: '表单' }),
};

/** Validates with the schema and then the rules, exactly as the CLI does. */
export function validateInput(input: unknown): {
  params?: BidParams;
  errors: FieldErrors;
  warnings: FieldErrors;
} {
  // Keyed by field paths from the data: no prototype (a key `constructor` is just a key).
  const errors: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const warnings: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const add = (bag: Record<string, string[]>, path: string, msg: string) =>
    (bag[path] ??= []).push(msg);
  const r = bidSchema.safeParse(input);
  if (!r.success) {
    for (const d of zodIssuesToDiagnostics(r.error.issues, bidSchema, { ...noSource, data: input }))
      add(errors, d.path ?? '', d.message);
    return {
      errors: { byPath: errors, count: Object.values(errors).flat().length },
      warnings: { byPath: {}, count: 0 },
    };
  }
  for (const d of runRules(r.data, noSource))
    add(d.severity === 'error' ? errors : warnings, d.path ?? '', d.message);
  const count = (b: Record<string, string[]>) => Object.values(b).flat().length;
  return {
    ...(count(errors) ? {} : { params: r.data }),
    errors: { byPath: errors, count: count(errors) },
    warnings: { byPath: warnings, count: count(warnings) },
  };
}
