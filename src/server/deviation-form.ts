// The 偏离表 in the browser: the tender's requirements as rows of the form (条目号, 要求, ★, and a
// condition picked from the bid's fields with units), or a tender requirements file uploaded and
// checked by the CLI's own rules; the reasons for negative deviations go into the bid
// (tender.acknowledged). The file is kept beside the bid in the data folder, byte for byte until
// a row changes.
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import { conditionProblem, fieldExists } from '../checks/deviations.js';
import { formatDiagnostic } from '../diagnostics/diagnostic.js';
import { parseYamlText } from '../load/yaml-file.js';
import {
  formatPath,
  metaOf,
  parseFieldPath,
  schemaAt,
  valueAt,
  zodIssuesToDiagnostics,
} from '../load/zod-issues.js';
import { bidSchema } from '../schema/bid.js';
import { milestoneLabels } from '../schema/labels.js';
import { OPERATORS, tenderSchema, type TenderFile } from '../schema/tender.js';
import { formModel, pathLabel, type Field, type GroupField } from './form-model.js';
import type { Slot } from './form-page.js';
import type { FormBody } from './form-values.js';
import { editYaml, type Change } from './yaml-edit.js';

const one = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[v.length - 1] : v;
const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export type ChoiceKind =
  'duration' | 'percent' | 'frequency' | 'service-hours' | 'number' | 'choice';

/** A bid field a condition can read, as the select beside each requirement offers it. */
export interface FieldChoice {
  /** The select's value: the field path, and `|sum` (etc.) for a total over a list. */
  readonly value: string;
  readonly label: string;
  readonly kind: ChoiceKind;
  readonly unit?: string;
  /** For `includes`: the values the list may include. */
  readonly options?: readonly { value: string; label: string }[];
  readonly example: string;
}

const EXAMPLES: Record<ChoiceKind, string> = {
  duration: '例如 2小时、3年',
  percent: '例如 95%',
  frequency: '例如 每季度',
  'service-hours': '例如 7x24',
  number: '例如 8',
  choice: '',
};

/** The unit a number field counts in, read from its label (`最短任职年限（年）`, `承诺服务人员数`). */
function unitOf(label: string): string | undefined {
  const m = /（([^）]{1,4})）$/.exec(label);
  if (m && !/%/.test(m[1]!)) return m[1];
  if (/人数|人员数|人$/.test(label)) return '人';
  return undefined;
}

function kindOf(f: Field): ChoiceKind | undefined {
  if (f.kind === 'value') return f.valueKind;
  if (f.kind === 'integer' || f.kind === 'number') return 'number';
  return undefined;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The fields conditions can use, for the bid as it stands (its rows named as the bid names them). */
export function conditionFields(input: unknown, model: GroupField = formModel()): FieldChoice[] {
  const out: FieldChoice[] = [];
  const push = (value: string, label: string, kind: ChoiceKind, unit?: string) =>
    out.push({
      value,
      label: unit ? `${label}（${unit}）` : label,
      kind,
      example: EXAMPLES[kind],
      ...(unit ? { unit } : {}),
    });
  // Fields outside lists, by their labels.
  const walk = (g: GroupField, path: string, labels: string[]) => {
    for (const f of g.fields) {
      const p = path ? `${path}.${f.key}` : f.key;
      if (f.kind === 'group') walk(f, p, [...labels, f.label]);
      const kind = kindOf(f);
      if (kind && f.kind !== 'group' && f.kind !== 'list') {
        const name =
          labels.length && labels[labels.length - 1] !== f.label
            ? `${labels[labels.length - 1]} · ${f.label}`
            : f.label;
        push(p, name, kind, kind === 'number' ? unitOf(f.label) : undefined);
      }
    }
  };
  walk(model, '', []);
  // Rows the bid has: warranty components, availability targets, tiers' milestones.
  const rows = (p: string) => {
    const v = valueAt(input, parseFieldPath(p));
    return Array.isArray(v) ? v : [];
  };
  rows('warranty.components').forEach((c, i) => {
    const name = str(isPlain(c) ? c.name : undefined) ?? `第 ${i + 1} 项`;
    for (const [k, l] of [
      ['period', '质保期'],
      ['replacement', '包换期'],
      ['repair', '包修期'],
      ['onsite', '免费上门服务期'],
    ] as const)
      push(`warranty.components[${i}].${k}`, `${name} · ${l}`, 'duration');
  });
  rows('service.availability').forEach((a, i) =>
    push(
      `service.availability[${i}].percent`,
      `${str(isPlain(a) ? a.metric : undefined) ?? '可用性指标'} · 不低于`,
      'percent',
    ),
  );
  const milestones = (base: string, title: string, list: unknown[]) => {
    const seen = new Set<string>();
    for (const m of list) {
      const kind = isPlain(m) && typeof m.kind === 'string' ? m.kind : undefined;
      if (!kind || kind === 'custom' || seen.has(kind)) continue;
      seen.add(kind);
      push(
        `${base}.milestones[kind=${kind}]`,
        `${title} · ${milestoneLabels[kind as keyof typeof milestoneLabels] ?? kind}时限`,
        'duration',
      );
    }
  };
  rows('responseTiers').forEach((t, i) =>
    milestones(
      `responseTiers[${i}]`,
      `故障响应等级 ${str(isPlain(t) ? t.name : undefined) ?? `第 ${i + 1} 项`}`,
      isPlain(t) && Array.isArray(t.milestones) ? t.milestones : [],
    ),
  );
  const aw = valueAt(input, ['afterWarranty', 'milestones']);
  if (Array.isArray(aw)) milestones('afterWarranty', '质保期外响应', aw);
  // Totals and lists.
  push('training.modules[*].hours|sum', '培训总课时（各模块课时之和）', 'number', '学时');
  push('training.audiences[*].count|sum', '受训人数（各培训对象人数之和）', 'number', '人');
  push('staff.roster[*].name|count', '人员配置名单人数', 'number', '人');
  const channelOptions = Object.entries(
    (metaOf(schemaAt(bidSchema, ['service', 'channels', 0, 'kind'])).enumLabels ?? {}) as Record<
      string,
      string
    >,
  ).map(([value, label]) => ({ value, label }));
  out.push({
    value: 'service.channels[*].kind|includes',
    label: '服务渠道包含',
    kind: 'choice',
    options: channelOptions,
    example: '',
  });
  return out;
}

export const OPERATOR_CHOICES = Object.entries(OPERATORS)
  .filter(([k]) => k !== 'includes')
  .map(([value, label]) => ({ value, label: `${label}（${value}）` }));

export interface RequirementRow {
  readonly item: string;
  readonly text: string;
  readonly star: boolean;
  /** The FieldChoice value. */
  readonly field: string;
  readonly op: string;
  readonly value: string;
  readonly unit: string;
  readonly reason: string;
}

export interface TenderForm {
  /** The tender file the bid links (a name in the data folder), if any. */
  readonly file?: string;
  /** The text the rows were read from (the stored file, or an upload not saved yet). */
  readonly text?: string;
  readonly title: string;
  readonly rows: readonly RequirementRow[];
  /** The requirements, when every row is valid: the deviations are computed from them. */
  readonly parsed?: TenderFile;
  /** Problems of an uploaded file, each with its line and column. */
  readonly upload: readonly string[];
  /** Messages about the rows, by form path (`tender.requirements[0].value`). */
  readonly errors: Record<string, string[]>;
  readonly fields: readonly FieldChoice[];
  readonly ops: typeof OPERATOR_CHOICES;
  readonly slots: ReadonlyMap<string, Slot>;
  readonly labelOf: (path: string) => string;
  /** The section holds a tender (rows or a linked file). */
  readonly active: boolean;
}

/** The select value for a condition (`field` or `field|aggregate`). */
const choiceOf = (c: Record<string, unknown>) => {
  const field = typeof c.field === 'string' ? c.field : '';
  if (c.op === 'includes') return `${field}|includes`;
  return typeof c.aggregate === 'string' ? `${field}|${c.aggregate}` : field;
};

/** Rows as the form shows them, from a tender file's data and the bid's reasons. */
function rowsFromData(data: unknown, reasons: ReadonlyMap<string, string>): RequirementRow[] {
  const reqs = isPlain(data) && Array.isArray(data.requirements) ? data.requirements : [];
  return reqs.map((r) => {
    const x = isPlain(r) ? r : {};
    const c = isPlain(x.condition) ? x.condition : {};
    const item = typeof x.item === 'string' || typeof x.item === 'number' ? String(x.item) : '';
    return {
      item,
      text: typeof x.text === 'string' ? x.text : '',
      star: x.star === true,
      field: choiceOf(c),
      op: typeof c.op === 'string' ? (c.op === 'includes' ? '' : c.op) : '',
      value: c.value === undefined || c.value === null ? '' : String(c.value as string),
      unit: typeof c.unit === 'string' ? c.unit : '',
      reason: reasons.get(item) ?? '',
    };
  });
}

/** The requirement a row stands for; values that read as the base row's keep its raw form. */
function rowData(
  row: RequirementRow,
  base: unknown,
  fields: readonly FieldChoice[],
): Record<string, unknown> {
  const b = isPlain(base) ? base : {};
  const bc = isPlain(b.condition) ? b.condition : {};
  const [field, agg] = row.field.split('|') as [string, string | undefined];
  const choice = fields.find((f) => f.value === row.field);
  let value: unknown = row.value.trim();
  if (bc.value !== undefined && String(bc.value as string) === row.value.trim()) value = bc.value;
  else if (choice?.kind === 'number' && /^\d+(\.\d+)?$/.test(row.value.trim()))
    value = Number(row.value.trim());
  const unit = row.field === choiceOf(bc) ? row.unit || undefined : choice?.unit;
  const condition: Record<string, unknown> = {
    field,
    ...(agg && agg !== 'includes' ? { aggregate: agg } : {}),
    op: agg === 'includes' ? 'includes' : row.op,
    value,
    ...(unit ? { unit } : {}),
  };
  // Key order as in the base row, so an unchanged row is the same data.
  const out: Record<string, unknown> = {
    item: typeof b.item === 'number' && String(b.item) === row.item ? b.item : row.item,
    text: row.text,
    ...(row.star ? { star: true } : b.star === false ? { star: false } : {}),
    condition: isDeepStrictEqual(normal(bc), normal(condition)) ? bc : condition,
  };
  return out;
}

const normal = (c: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== ''));

/** The tender as data, from the rows (the base data's own values where a row is unchanged). */
export function tenderData(
  t: Pick<TenderForm, 'title' | 'rows' | 'fields'>,
  base: unknown,
): Record<string, unknown> {
  const b = isPlain(base) ? base : {};
  const baseReqs = Array.isArray(b.requirements) ? b.requirements : [];
  const data: Record<string, unknown> = { ...b };
  if (t.title.trim()) data.title = t.title.trim();
  else delete data.title;
  data.requirements = t.rows.map((r, i) => rowData(r, baseReqs[i], t.fields));
  return data;
}

/** Checks a tender file's text as the CLI does; problems carry their line and column. */
export function readTenderText(
  text: string,
  name: string,
): { data?: unknown; parsed?: TenderFile; problems: string[] } {
  const y = parseYamlText(text, name);
  if (!y.ok) return { problems: y.diagnostics.map(formatDiagnostic) };
  const r = tenderSchema.safeParse(y.value.data);
  if (!r.success)
    return {
      data: y.value.data,
      problems: zodIssuesToDiagnostics(r.error.issues, tenderSchema, y.value).map(formatDiagnostic),
    };
  const problems: string[] = [];
  r.data.requirements.forEach((req, i) => {
    const where = (k: 'field' | 'value') => y.value.locate(['requirements', i, 'condition', k]);
    const at = (k: 'field' | 'value', msg: string) => {
      const l = where(k);
      problems.push(`${name}${l.line ? `:${l.line}:${l.col}` : ''} 条目 ${req.item}：${msg}`);
    };
    if (!fieldExists(req.condition.field))
      at('field', `投标参数中没有字段“${req.condition.field}”`);
    else {
      const p = conditionProblem(req.condition);
      if (p) at(p.at, p.message);
    }
  });
  return problems.length
    ? { data: y.value.data, problems }
    : { data: y.value.data, parsed: r.data, problems };
}

function rowIndices(body: FormBody): number[] {
  const seen = new Set<number>();
  for (const k of Object.keys(body)) {
    const m = /^tender\.requirements\[(\d{1,3})\]\./.exec(k);
    if (m) seen.add(Number(m[1]));
  }
  return [...seen].sort((a, b) => a - b);
}

/** Where the rows' messages go, and their labels in words. */
function slotsOfRows(n: number): Map<string, Slot> {
  const out = new Map<string, Slot>();
  const put = (p: string, anchor: string) => out.set(p, { anchor, step: 'other' });
  put('tender', 'g-tender');
  put('tender.requirements', 'g-tender.requirements');
  put('tender.upload', 'f-tender.upload');
  for (let i = 0; i < n; i++) {
    const p = `tender.requirements[${i}]`;
    put(p, `g-${p}`);
    for (const k of ['item', 'text', 'field', 'op', 'value', 'reason'])
      put(`${p}.${k}`, `f-${p}.${k}`);
    put(`${p}.condition`, `f-${p}.field`);
    put(`${p}.condition.field`, `f-${p}.field`);
    put(`${p}.condition.aggregate`, `f-${p}.field`);
    put(`${p}.condition.op`, `f-${p}.op`);
    put(`${p}.condition.value`, `f-${p}.value`);
    put(`${p}.condition.unit`, `f-${p}.value`);
  }
  return out;
}

const ROW_LABELS: Record<string, string> = {
  item: '条目号',
  text: '招标要求',
  field: '投标参数字段',
  op: '比较方式',
  value: '要求的值',
  reason: '负偏离说明',
  condition: '判定条件',
};

function labelOf(path: string, rows: readonly RequirementRow[]): string {
  if (path === 'tender' || path === 'tender.requirements') return '招标要求';
  if (path === 'tender.upload') return '招标要求文件';
  const m = /^tender\.requirements\[(\d+)\](?:\.(?:condition\.)?(\w+))?/.exec(path);
  if (!m) return path.startsWith('tender.') ? pathLabel(path) : '招标要求';
  const row = rows[Number(m[1])];
  const head = `招标要求 第 ${Number(m[1]) + 1} 项${row?.item ? `（${row.item}）` : ''}`;
  return m[2] ? `${head} · ${ROW_LABELS[m[2]] ?? '判定条件'}` : head;
}

export interface TenderBase {
  /** The file the stored bid links, and its text. */
  readonly file?: string;
  readonly text?: string;
}

/**
 * The tender part of the form: from the submitted rows (or an uploaded file, when asked to read
 * one), else from the stored file. `input` is the bid as the form stands (for field names).
 */
export function tenderForm(
  input: unknown,
  base: TenderBase,
  body?: FormBody,
  action?: string,
): TenderForm {
  const fields = conditionFields(input);
  const acks = valueAt(input, ['tender', 'acknowledged']);
  const reasons = new Map<string, string>(
    (Array.isArray(acks) ? acks : []).flatMap((a) =>
      isPlain(a) && typeof a.item === 'string' && typeof a.reason === 'string'
        ? [[a.item, a.reason] as const]
        : [],
    ),
  );
  let text = body ? (one(body._tenderText) ?? base.text) : base.text;
  if (text === '') text = undefined;
  const file = body ? one(body._tenderFile) || undefined : base.file;
  let rows: RequirementRow[];
  let title: string;
  const upload: string[] = [];
  const uploaded =
    body && action === 'tender:load' ? (one(body._tenderYaml) ?? '').replace(/\r\n?/g, '\n') : '';
  if (uploaded.trim()) {
    const r = readTenderText(uploaded, '上传的招标要求文件');
    if (r.problems.length || !isPlain(r.data)) {
      upload.push(...(r.problems.length ? r.problems : ['文件内容不是招标要求文件']));
      ({ rows, title } = fromBody(body!, reasons, text));
    } else {
      text = uploaded;
      rows = rowsFromData(r.data, reasons);
      title = typeof r.data.title === 'string' ? r.data.title : '';
    }
  } else if (body && (rowIndices(body).length || one(body._tenderRows) !== undefined)) {
    ({ rows, title } = fromBody(body, reasons, text));
  } else {
    const data = text !== undefined ? (parse(text) as unknown) : undefined;
    rows = rowsFromData(data, reasons);
    title = isPlain(data) && typeof data.title === 'string' ? data.title : '';
    if (text !== undefined) {
      const r = readTenderText(text, file ?? '招标要求文件');
      upload.push(...r.problems);
    }
  }
  return validated({
    fields,
    title,
    rows,
    upload,
    ...(file ? { file } : {}),
    ...(text !== undefined ? { text } : {}),
  });
}

/** The rows checked as the CLI checks a tender file; the requirements when all are valid. */
function validated(t: {
  fields: FieldChoice[];
  title: string;
  rows: RequirementRow[];
  upload: string[];
  file?: string;
  text?: string;
}): TenderForm {
  const { fields, title, rows, upload, file, text } = t;
  const baseData = text !== undefined ? (parse(text) as unknown) : undefined;
  const data = tenderData({ title, rows, fields }, baseData);
  const errors: Record<string, string[]> = {};
  const add = (p: string, m: string) => (errors[p] ??= []).push(m);
  let parsed: TenderFile | undefined;
  if (rows.length) {
    const r = tenderSchema.safeParse(data);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const p = issue.path.filter((x): x is string | number => typeof x !== 'symbol');
        const d = zodIssuesToDiagnostics([issue], tenderSchema, {
          file: '',
          sha256: '',
          data,
          locate: () => ({ file: '' }),
        })[0];
        add(`tender.${formatPath(p)}`, d?.message ?? issue.message);
      }
    } else {
      r.data.requirements.forEach((req, i) => {
        if (!fieldExists(req.condition.field))
          add(`tender.requirements[${i}].field`, '请选择投标参数字段');
        const p = conditionProblem(req.condition);
        if (p) add(`tender.requirements[${i}].${p.at}`, p.message);
      });
      if (!Object.keys(errors).length) parsed = r.data;
    }
  }
  if (upload.length) errors['tender.upload'] = upload;
  return {
    ...(file ? { file } : {}),
    ...(text !== undefined ? { text } : {}),
    title,
    rows,
    ...(parsed ? { parsed } : {}),
    upload,
    errors,
    fields,
    ops: OPERATOR_CHOICES,
    slots: slotsOfRows(rows.length),
    labelOf: (p) => labelOf(p, rows),
    active: rows.length > 0 || Boolean(file),
  };
}

function fromBody(body: FormBody, reasons: ReadonlyMap<string, string>, text: string | undefined) {
  void reasons;
  void text;
  const get = (i: number, k: string) => one(body[`tender.requirements[${i}].${k}`]) ?? '';
  const rows = rowIndices(body).map((i) => ({
    item: get(i, 'item').trim(),
    text: get(i, 'text').replace(/\r\n?/g, '\n').trim(),
    star: get(i, 'star') === 'true',
    field: get(i, 'field'),
    op: get(i, 'op'),
    value: get(i, 'value'),
    unit: get(i, 'unit'),
    reason: get(i, 'reason').replace(/\r\n?/g, '\n').trim(),
  }));
  return { rows, title: (one(body['tender.title']) ?? '').trim() };
}

/** The tender form after an action of its own (`tender:add`, `tender:remove:2`, `tender:unlink`). */
export function tenderAction(t: TenderForm, action: string): TenderForm | undefined {
  const again = (rows: RequirementRow[], keepFile = true) =>
    validated({
      fields: [...t.fields],
      title: keepFile ? t.title : '',
      rows,
      upload: [],
      ...(keepFile && t.file ? { file: t.file } : {}),
      ...(keepFile && t.text !== undefined ? { text: t.text } : {}),
    });
  if (action === 'add:tender.requirements') {
    const empty: RequirementRow = {
      item: '',
      text: '',
      star: false,
      field: '',
      op: '>=',
      value: '',
      unit: '',
      reason: '',
    };
    return again([...t.rows, empty]);
  }
  const m = /^remove:tender\.requirements\[(\d{1,3})\]$/.exec(action);
  if (m) return again(t.rows.filter((_, i) => i !== Number(m[1])));
  if (action === 'tender:unlink') return again([], false);
  return undefined;
}

/** The bid's tender link and reasons as the form has them (for checking and saving). */
export function tenderLink(t: TenderForm, bidId: string, stored: unknown): unknown {
  if (!t.active) return undefined;
  const before = isPlain(stored) ? stored : {};
  const acks = Array.isArray(before.acknowledged) ? before.acknowledged : [];
  const items = new Set(t.rows.map((r) => r.item));
  const reasons = t.rows.filter((r) => r.reason).map((r) => ({ item: r.item, reason: r.reason }));
  // Reasons for items not in the rows stay (the check reports them); the rows' own follow the form.
  const kept = acks.filter((a) => !(isPlain(a) && typeof a.item === 'string' && items.has(a.item)));
  const next = [...kept, ...reasons.map((r) => acks.find((a) => isDeepStrictEqual(a, r)) ?? r)];
  const sameAcks =
    next.length === acks.length && next.every((a) => acks.some((b) => isDeepStrictEqual(a, b)));
  return {
    ...before,
    file: t.file ?? `${bidId}-tender.yaml`,
    ...(sameAcks
      ? before.acknowledged !== undefined
        ? { acknowledged: before.acknowledged }
        : {}
      : next.length
        ? { acknowledged: next }
        : {}),
  };
}

/**
 * What saving the tender part writes: the tender file (only when its data changed; a file other
 * bids may share is copied to this bid's own name first) and the changes to the bid's `tender`.
 */
export function tenderSave(
  t: TenderForm,
  bidId: string,
  storedLink: unknown,
): { write?: { name: string; text: string }; changes: Change[] } {
  if (!t.active)
    return { changes: storedLink === undefined ? [] : [{ kind: 'delete', path: ['tender'] }] };
  const baseData = t.text !== undefined ? (parse(t.text) as unknown) : undefined;
  const data = tenderData(t, baseData);
  const own = `${bidId}-tender.yaml`;
  let file = t.file ?? own;
  let write: { name: string; text: string } | undefined;
  if (t.text === undefined) {
    write = {
      name: file,
      text: `# 招标要求（由网页表单保存）\n${stringify(data, { lineWidth: 0 })}`,
    };
  } else if (!isDeepStrictEqual(baseData, data) || !t.file) {
    // Changed rows, or a file uploaded and not stored yet: written under this bid's own name.
    const changes: Change[] = [];
    for (const k of new Set([
      ...Object.keys(isPlain(baseData) ? baseData : {}),
      ...Object.keys(data),
    ])) {
      const a = isPlain(baseData) ? baseData[k] : undefined;
      const b = data[k];
      if (isDeepStrictEqual(a, b)) continue;
      if (k === 'requirements' && Array.isArray(a) && Array.isArray(b)) {
        for (let i = 0; i < Math.max(a.length, b.length); i++) {
          if (i < b.length && !isDeepStrictEqual(a[i], b[i]))
            changes.push({ kind: 'set', path: [k, i], value: b[i] });
        }
        for (let i = a.length - 1; i >= b.length; i--)
          changes.push({ kind: 'delete', path: [k, i] });
      } else
        changes.push(
          b === undefined ? { kind: 'delete', path: [k] } : { kind: 'set', path: [k], value: b },
        );
    }
    file = own; // a changed tender is always this bid's own file (another bid may share the old one)
    write = { name: file, text: editYaml(t.text, changes) };
  }
  const link = tenderLink({ ...t, file }, bidId, storedLink);
  return {
    ...(write ? { write } : {}),
    changes: isDeepStrictEqual(link, storedLink)
      ? []
      : [{ kind: 'set', path: ['tender'], value: link }],
  };
}
