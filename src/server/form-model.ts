// The web form, derived from the bid schema: one descriptor per field, with the label, help,
// input kind, options and default the schema declares. A new schema field appears here unedited.
import { z } from 'zod';
import { metaOf, schemaAt, unwrap } from '../load/zod-issues.js';
import { bidSchema } from '../schema/bid.js';

export type InputKind =
  | 'text'
  | 'textarea'
  | 'integer'
  | 'number'
  | 'money'
  | 'date'
  /** A duration, frequency, percentage or service hours, written as shorthand (`2小时`, `每季度`). */
  | 'value'
  /** An enum: a select with an empty choice, so an optional one can stay unset. */
  | 'select'
  /** An optional yes/no: 不写 / 是 / 否 (absent means the bid says nothing). */
  | 'tristate'
  /** `z.literal(true).optional()`: a checkbox whose unchecked state is "absent". */
  | 'flag'
  /** A fixed value (`version: 2`), carried in a hidden input. */
  | 'constant'
  | 'checkboxes'
  /**
   * A list of enum values whose order matters (meta `ordered: true`, e.g. an escalation order):
   * the chosen items in order, each movable up/down or removable, and a select to append one.
   */
  | 'ordered'
  /** Free text items, one per line (never split at 、，or spaces). */
  | 'lines'
  /** References to ids declared in another list (`training.audiences`): checkboxes of those rows. */
  | 'refs'
  /** A row's id, generated for new rows (`module-3`) and kept as it is for existing ones. */
  | 'id';

export type ValueKind = 'duration' | 'frequency' | 'percent' | 'service-hours';

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
  /** Shown in an empty input: an example of the shorthand, or the default the schema applies. */
  readonly placeholder?: string;
  readonly valueKind?: ValueKind;
  /** Durations that may be split into 工作日/节假日 limits (`工作日48小时、节假日72小时`). */
  readonly split?: boolean;
  /** `refs`: the list whose rows' ids may be picked, and the row field shown as each one's name. */
  readonly ref?: { readonly source: string; readonly labelKey: string };
  /** `id`: new ids are this prefix, a hyphen and the first free number (`module-3`). */
  readonly idPrefix?: string;
  /** `constant`: the only value the schema accepts. */
  readonly constant?: string | number | boolean;
}

export interface GroupField extends Base {
  readonly kind: 'group';
  readonly optional: boolean;
  /** Some field inside must be filled when the group is (shown on optional groups). */
  readonly hasRequired: boolean;
  readonly fields: readonly Field[];
}

/**
 * One help text for fields inside a top-level list's rows (nested lists' rows included), shown once
 * in the list's header instead of on every row. Fields with the same help share one entry.
 */
export interface RowHelp {
  /** The entry's id suffix: the first field's path relative to the row, without indices. */
  readonly key: string;
  /** Each field's label, with the labels of the groups and lists it sits in (`处理环节 · 时限`). */
  readonly labels: readonly string[];
  readonly help: string;
}

export interface ListField extends Base {
  readonly kind: 'list';
  readonly required: boolean;
  readonly min: number;
  readonly max: number;
  readonly default?: unknown;
  /** Nesting depth of this list (0 for a top-level list): picks the index placeholder. */
  readonly depth: number;
  /** The fields of one item; paths hold `[]` where the index goes. */
  readonly item: GroupField;
  /** For a top-level list (depth 0): the help of every field, group and list inside its rows. */
  readonly rowHelp: readonly RowHelp[];
  /** Which `rowHelp` entry (its key) each field inside the rows points at, by relative path. */
  readonly rowHelpKey: Readonly<Record<string, string>>;
}

export type Field = ScalarField | GroupField | ListField;

/** Fields the form leaves alone (kept from the saved file): pins and the tender file name. */
const NOT_IN_FORM = new Set(['clauseVersions', 'tender']);

/**
 * Lists of ids that point at the rows of another list: picked from those rows by name, never typed.
 * Keyed by the field's path without indices.
 */
const REFERENCES: Record<string, { source: string; labelKey: string }> = {
  'training.modules[].audiences': { source: 'training.audiences', labelKey: 'name' },
  'training.schedule[].modules': { source: 'training.modules', labelKey: 'title' },
};

/** The placeholder a new row's index takes in list templates, by nesting depth. */
export const indexPlaceholder = (depth: number) => `__I${depth}__`;

type Meta = {
  label?: string;
  help?: string;
  multiline?: boolean;
  enumLabels?: Record<string, string>;
  format?: string;
  unit?: string;
  valueKind?: ValueKind;
  allow?: string[];
  ordered?: boolean;
};

const EXAMPLES: Record<ValueKind, string> = {
  duration: '2小时',
  frequency: '每季度',
  percent: '95%',
  'service-hours': '工作日 8:00-18:00',
};

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

/** The first example the help text quotes (`例如“30分钟”…` → `30分钟`). */
function exampleIn(help: string | undefined): string | undefined {
  return help ? /例如“([^”]+)”/.exec(help)?.[1] : undefined;
}

function valueField(base: Base, meta: Meta, required: boolean): ScalarField {
  const vk = meta.valueKind!;
  const split = vk === 'duration' && (meta.allow ?? []).includes('split');
  const periodLike = vk === 'duration' && (meta.allow ?? []).includes('lifetime');
  const help = [
    base.help,
    split ? '工作日与节假日时限不同时写“工作日48小时、节假日72小时”' : undefined,
  ]
    .filter(Boolean)
    .join('；');
  return {
    ...base,
    ...(help ? { help } : {}),
    kind: 'value',
    valueKind: vk,
    split,
    required,
    placeholder: `例如 ${exampleIn(meta.help) ?? (periodLike ? '12个月' : EXAMPLES[vk])}`,
  };
}

function describe(key: string, path: string, schema: z.ZodType, depth: number): Field | undefined {
  const s = unwrap(schema);
  if (!s) return undefined;
  const meta = metaOf(schema) as Meta;
  const base: Base = {
    key,
    path,
    label: meta.label ?? key,
    ...(meta.help ? { help: meta.help } : {}),
  };
  if (s instanceof z.ZodObject) {
    const fields = Object.entries(s.shape as Record<string, z.ZodType>)
      .filter(([k]) => !NOT_IN_FORM.has(k))
      .map(([k, v]) => describe(k, path ? `${path}.${k}` : k, v, depth))
      .filter((f): f is Field => f !== undefined);
    const hasRequired = fields.some((f) =>
      f.kind === 'group'
        ? !f.optional && f.hasRequired
        : f.required && (f.kind === 'list' || f.default === undefined),
    );
    return { ...base, kind: 'group', optional: isOptional(schema), hasRequired, fields };
  }
  const required = !isOptional(schema);
  if (s instanceof z.ZodArray) {
    const el = unwrap(s.element as z.ZodType);
    if (el instanceof z.ZodObject) {
      const item = describe(key, `${path}[]`, s.element as z.ZodType, depth + 1) as GroupField;
      return {
        ...base,
        kind: 'list',
        required,
        ...lengthBounds(s),
        default: defaultOf(schema),
        depth,
        item,
        ...(depth === 0 ? rowHelpOf(item) : { rowHelp: [], rowHelpKey: {} }),
      };
    }
    if (el instanceof z.ZodEnum) {
      const labels = (metaOf(s.element as z.ZodType).enumLabels ?? {}) as Record<string, string>;
      const options = (el.options as string[]).map((v) => ({ value: v, label: labels[v] ?? v }));
      return {
        ...base,
        kind: meta.ordered ? 'ordered' : 'checkboxes',
        required,
        default: defaultOf(schema),
        options,
        ...lengthBounds(s),
      };
    }
    const ref = REFERENCES[path];
    if (ref) return { ...base, kind: 'refs', required, default: defaultOf(schema), ref };
    // Free text items may contain 、，and spaces: one item per line, nothing else separates.
    return {
      ...base,
      kind: 'lines',
      required,
      default: defaultOf(schema),
      placeholder: '每行一项',
    };
  }
  const def = defaultOf(schema);
  const common = {
    ...base,
    required,
    default: def,
    ...(def !== undefined && typeof def !== 'object'
      ? { placeholder: `默认：${String(def)}` }
      : {}),
  };
  if (meta.valueKind) return valueField(base, meta, required);
  if (s instanceof z.ZodLiteral) {
    const v = (s.values as Set<unknown>).values().next().value as string | number | boolean;
    if (v === true && !required) return { ...common, kind: 'flag' };
    return { ...common, kind: 'constant', constant: v };
  }
  if (s instanceof z.ZodEnum) {
    const labels = meta.enumLabels ?? {};
    return {
      ...common,
      kind: 'select',
      options: (s.options as string[]).map((v) => ({ value: v, label: labels[v] ?? v })),
    };
  }
  if (s instanceof z.ZodBoolean) {
    return {
      ...common,
      kind: 'tristate',
      options: [
        { value: 'true', label: '是' },
        { value: 'false', label: '否' },
      ],
    };
  }
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
  if (meta.unit === '元') return { ...common, kind: 'money', placeholder: '单位：元' };
  if (meta.format === 'date') return { ...common, kind: 'date' };
  if (s instanceof z.ZodString && key === 'id' && path.endsWith('[].id')) {
    const list = /([A-Za-z]+)\[\]\.id$/.exec(path)?.[1] ?? 'item';
    return { ...common, kind: 'id', idPrefix: list.replace(/s$/, '') };
  }
  if (s instanceof z.ZodString) return { ...common, kind: meta.multiline ? 'textarea' : 'text' };
  return undefined;
}

/** The help texts inside a list's rows, depth first through groups and nested lists, deduplicated. */
function rowHelpOf(item: GroupField): Pick<ListField, 'rowHelp' | 'rowHelpKey'> {
  const entries: { key: string; labels: string[]; help: string }[] = [];
  const rowHelpKey: Record<string, string> = {};
  const walk = (g: GroupField, prefix: string, labels: readonly string[]) => {
    for (const f of g.fields) {
      const key = prefix ? `${prefix}.${f.key}` : f.key;
      const chain = [...labels, f.label];
      if (f.help) {
        let e = entries.find((x) => x.help === f.help);
        if (!e) entries.push((e = { key, labels: [], help: f.help }));
        e.labels.push(chain.join(' · '));
        rowHelpKey[key] = e.key;
      }
      if (f.kind === 'group') walk(f, key, chain);
      else if (f.kind === 'list') walk(f.item, key, chain);
    }
  };
  walk(item, '', []);
  return { rowHelp: entries, rowHelpKey };
}

let cached: GroupField | undefined;
/** The whole form: the bid schema's top-level groups and lists. */
export function formModel(): GroupField {
  cached ??= describe('', '', bidSchema, 0) as GroupField;
  return cached;
}

/** The field at a form path (`responseTiers[0].milestones`, `service.escalation`), if any. */
export function fieldAt(model: GroupField, segs: readonly (string | number)[]): Field | undefined {
  let cur: Field | undefined = model;
  for (const seg of segs) {
    if (typeof seg === 'number') {
      if (cur?.kind !== 'list') return undefined;
      cur = cur.item;
    } else {
      if (cur?.kind !== 'group') return undefined;
      cur = cur.fields.find((f) => f.key === seg);
    }
  }
  return cur;
}

/**
 * A new bid: `version` and the required fields, empty, to fill in. Nothing optional and no
 * default is written, so the bid promises nothing the user has not typed.
 */
export function skeleton(model: GroupField = formModel()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of model.fields) {
    if (f.kind === 'group') {
      if (!f.optional) out[f.key] = skeleton(f);
    } else if (f.kind === 'list') {
      if (f.required && f.min > 0 && f.default === undefined)
        out[f.key] = Array.from({ length: f.min }, () => skeleton(f.item));
    } else if (f.kind === 'constant') out[f.key] = f.constant;
    else if (
      f.required &&
      f.default === undefined &&
      !['checkboxes', 'ordered', 'lines', 'refs'].includes(f.kind)
    )
      out[f.key] = '';
  }
  return out;
}

export interface Step {
  readonly id: string;
  readonly title: string;
  /** The top-level fields (sections) shown in this step, in order. */
  readonly sections: readonly string[];
  /** Shown only when this document is ticked (or the step holds something to fix). */
  readonly document?: string;
}

/**
 * The form in the order a bid team fills it in. A top-level schema field no step names goes to
 * 其他, so a new section appears without editing this list.
 */
export function steps(model: GroupField = formModel()): Step[] {
  const base: Step[] = [
    {
      id: 'basics',
      title: '投标信息',
      sections: ['version', 'documents', 'tenderee', 'bidder', 'project', 'signature'],
    },
    { id: 'warranty', title: '质保', sections: ['warranty', 'afterWarranty', 'spares'] },
    { id: 'staff', title: '人员', sections: ['staff'] },
    { id: 'service', title: '服务与响应', sections: ['service', 'responseTiers'] },
    { id: 'training', title: '培训', sections: ['training'], document: 'training-plan' },
    {
      id: 'other',
      title: '其他',
      sections: ['emergency', 'penalties', 'exclusions', 'quality', 'extraCommitments'],
    },
    { id: 'check', title: '检查与下载', sections: [] },
  ];
  const named = new Set(base.flatMap((s) => s.sections));
  const rest = model.fields.map((f) => f.key).filter((k) => !named.has(k));
  return base.map((s) => (s.id === 'other' ? { ...s, sections: [...s.sections, ...rest] } : s));
}

/** The step a field path belongs to (its top-level section's step; 投标信息 for the bid as a whole). */
export function stepOf(path: string, all: readonly Step[] = steps()): string {
  const top = /^[A-Za-z]+/.exec(path)?.[0] ?? '';
  if (top === 'tender') return 'other';
  return all.find((s) => s.sections.includes(top))?.id ?? 'basics';
}

/**
 * A field path in words, for people: `responseTiers[0].milestones[1].within` →
 * `故障响应等级 第 1 项 · 处理环节 第 2 项 · 时限`. A group named like the list inside it is named once.
 */
export function pathLabel(path: string, root: z.ZodType = bidSchema): string {
  const parts: string[] = [];
  const segs: (string | number)[] = [];
  for (const m of path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) {
      segs.push(Number(m[2]));
      if (parts.length) parts[parts.length - 1] += ` 第 ${Number(m[2]) + 1} 项`;
      continue;
    }
    segs.push(m[1]!);
    const own = metaOf(schemaAt(root, segs)).label;
    const label = typeof own === 'string' ? own : `“${m[1]!}”`;
    if (parts.length && parts[parts.length - 1] === label) continue;
    parts.push(label);
  }
  return parts.join(' · ') || '投标参数';
}

/** The first free id `prefix-N` among the ids already used. */
export function nextId(prefix: string, used: Iterable<unknown>): string {
  const taken = new Set([...used].filter((x): x is string => typeof x === 'string'));
  for (let n = 1; ; n++) if (!taken.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
}
