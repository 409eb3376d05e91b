// The web form, derived from the bid schema: one descriptor per field, with the label, help,
// input kind, options and default the schema declares. A new schema field appears here unedited.
import { z } from 'zod';
import { unwrap } from '../load/zod-issues.js';
import { bidSchema } from '../schema/bid.js';

export type InputKind =
  | 'text'
  | 'textarea'
  | 'integer'
  | 'number'
  | 'money'
  | 'date'
  | 'checkbox'
  | 'select'
  | 'checkboxes'
  | 'lines';

interface Base {
  readonly key: string;
  /** Form name and field path, e.g. `responseTiers[0].name` (with `[]` in list templates). */
  readonly path: string;
  readonly label: string;
  readonly help?: string;
}

export interface ScalarField extends Base {
  readonly kind: InputKind;
  readonly required: boolean;
  readonly default?: unknown;
  readonly options?: readonly { value: string; label: string }[];
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
}

export interface GroupField extends Base {
  readonly kind: 'group';
  readonly optional: boolean;
  readonly fields: readonly Field[];
}

export interface ListField extends Base {
  readonly kind: 'list';
  readonly min: number;
  readonly max: number;
  readonly default?: unknown;
  /** The fields of one item; paths hold `[]` where the index goes. */
  readonly item: GroupField;
}

export type Field = ScalarField | GroupField | ListField;

/** Fields the form leaves alone (kept from the saved file): pins and the tender file name. */
const NOT_IN_FORM = new Set(['clauseVersions', 'tender']);

type Meta = {
  label?: string;
  help?: string;
  multiline?: boolean;
  enumLabels?: Record<string, string>;
  format?: string;
  unit?: string;
};

function metaOf(s: z.ZodType): Meta {
  return { ...(unwrap(s)?.meta() ?? {}), ...(s.meta() ?? {}) } as Meta;
}

function defaultOf(s: z.ZodType): unknown {
  let cur: z.ZodType | undefined = s;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof z.ZodDefault) return cur.def.defaultValue;
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodPrefault)
      cur = cur.unwrap() as z.ZodType;
    else break;
  }
  return undefined;
}

function isOptional(s: z.ZodType): boolean {
  return s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault;
}

function numberBounds(s: z.ZodNumber): { min?: number; max?: number; int: boolean } {
  const finite = (n: number | null) => (n !== null && Math.abs(n) < 1e12 ? n : undefined);
  return { min: finite(s.minValue), max: finite(s.maxValue), int: s.isInt };
}

function lengthBounds(s: z.ZodArray): { min: number; max: number } {
  let min = 0;
  let max = 100;
  for (const c of s.def.checks ?? []) {
    const d = c._zod.def as { check: string; minimum?: number; maximum?: number };
    if (d.check === 'min_length' && d.minimum !== undefined) min = d.minimum;
    if (d.check === 'max_length' && d.maximum !== undefined) max = d.maximum;
  }
  return { min, max };
}

function describe(key: string, path: string, schema: z.ZodType): Field | undefined {
  const s = unwrap(schema);
  if (!s) return undefined;
  const meta = metaOf(schema);
  const base = { key, path, label: meta.label ?? key, ...(meta.help ? { help: meta.help } : {}) };
  if (s instanceof z.ZodObject) {
    const fields = Object.entries(s.shape as Record<string, z.ZodType>)
      .filter(([k]) => !NOT_IN_FORM.has(k))
      .map(([k, v]) => describe(k, path ? `${path}.${k}` : k, v))
      .filter((f): f is Field => f !== undefined);
    return { ...base, kind: 'group', optional: isOptional(schema), fields };
  }
  if (s instanceof z.ZodArray) {
    const el = unwrap(s.element as z.ZodType);
    if (el instanceof z.ZodObject) {
      const item = describe(key, `${path}[]`, s.element as z.ZodType) as GroupField;
      return { ...base, kind: 'list', ...lengthBounds(s), default: defaultOf(schema), item };
    }
    if (el instanceof z.ZodEnum) {
      const labels = (metaOf(s.element as z.ZodType).enumLabels ?? {}) as Record<string, string>;
      const options = (el.options as string[]).map((v) => ({ value: v, label: labels[v] ?? v }));
      return {
        ...base,
        kind: 'checkboxes',
        required: !isOptional(schema),
        default: defaultOf(schema),
        options,
      };
    }
    return { ...base, kind: 'lines', required: !isOptional(schema), default: defaultOf(schema) };
  }
  const common = { ...base, required: !isOptional(schema), default: defaultOf(schema) };
  if (s instanceof z.ZodEnum) {
    const labels = meta.enumLabels ?? {};
    return {
      ...common,
      kind: 'select',
      options: (s.options as string[]).map((v) => ({ value: v, label: labels[v] ?? v })),
    };
  }
  if (s instanceof z.ZodBoolean) return { ...common, kind: 'checkbox' };
  if (s instanceof z.ZodNumber) {
    const b = numberBounds(s);
    return {
      ...common,
      kind: b.int ? 'integer' : 'number',
      min: b.min,
      max: b.max,
      step: b.int ? 1 : 0.5,
    };
  }
  if (meta.unit === '元') return { ...common, kind: 'money' };
  if (meta.format === 'date') return { ...common, kind: 'date' };
  if (s instanceof z.ZodString || s instanceof z.ZodPipe)
    return { ...common, kind: meta.multiline ? 'textarea' : 'text' };
  return undefined;
}

let cached: GroupField | undefined;
/** The whole form: the bid schema's top-level groups and lists. */
export function formModel(): GroupField {
  cached ??= describe('', '', bidSchema) as GroupField;
  return cached;
}
