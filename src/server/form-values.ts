// Form submissions ↔ bid objects. Only fields the form model knows are read, so a hostile body
// cannot add keys; values stay strings where the schema should report a type error.
import { runRules } from '../checks/rules.js';
import { zodIssuesToDiagnostics } from '../load/zod-issues.js';
import type { LoadedYaml } from '../load/yaml-file.js';
import { bidSchema, type BidInput, type BidParams } from '../schema/bid.js';
import type { Field, GroupField, ScalarField } from './form-model.js';

export type FormBody = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[v.length - 1] : v;
const many = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

function scalar(f: ScalarField, body: FormBody, path: string): unknown {
  const raw = body[path];
  switch (f.kind) {
    case 'checkbox':
      return one(raw) !== undefined;
    case 'checkboxes':
      return many(raw).filter((v) => f.options?.some((o) => o.value === v));
    case 'lines':
      return (one(raw) ?? '')
        .split(/[\r\n,，、]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    case 'integer':
    case 'number': {
      const s = (one(raw) ?? '').trim();
      if (!s) return undefined;
      const n = Number(s);
      return Number.isFinite(n) ? n : s;
    }
    default: {
      const s = one(raw);
      return s === undefined || s.trim() === '' ? undefined : s;
    }
  }
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
    if (
      f.optional &&
      one(body[`${path}.__present`]) === undefined &&
      !Object.keys(body).some((k) => k.startsWith(`${path}.`))
    )
      return undefined;
    return group(f, body, path, max);
  }
  if (f.kind === 'list') {
    const rows = rowIndices(body, path).slice(0, Math.min(f.max, max.n));
    max.n -= rows.length;
    return rows.map((i) => group(f.item, body, `${path}[${i}]`, max));
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
  const errors: Record<string, string[]> = {};
  const warnings: Record<string, string[]> = {};
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
