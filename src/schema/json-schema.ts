// JSON Schemas for editors (draft 2020-12): the bid file, the tender requirements file, the company
// profile and the workspace settings, generated from the same Zod schemas the CLI checks with.
//
// Zod writes each field's meta (`label`, `help`, `enumLabels`, `valueKind`, `allow`, `unit`, …) into
// its JSON Schema as custom keywords, which editors ignore and Ajv's strict mode refuses. Here they
// become standard keywords — `title`, `description`, `examples`, `pattern`, `multipleOf`, `anyOf`
// — or are dropped. The CLI stays the authority: a schema may be looser than the CLI, never
// stricter, so every constraint below accepts at least what the Zod schema accepts.
import { z } from 'zod';
import { bidSchema, SCHEMA_VERSION } from './bid.js';
import { tenderSchema, OPERATORS } from './tender.js';
import { DURATION_UNITS, parseDuration, type DurationKind, type DurationUnit } from './duration.js';
import { companyProfileSchema } from '../workspace/company.js';
import { SETTINGS_VERSION, workspaceSettingsSchema } from '../workspace/settings.js';

export const SCHEMA_KINDS = ['bid', 'tender', 'company', 'workspace'] as const;
export type SchemaKind = (typeof SCHEMA_KINDS)[number];

interface Source {
  readonly schema: z.ZodType;
  /** The file name the schema is usually saved under (`tenderkit init` writes `.vscode/…`). */
  readonly file: string;
  readonly description: string;
}

const SOURCES: Record<SchemaKind, Source> = {
  bid: {
    schema: bidSchema,
    file: `bid-v${SCHEMA_VERSION}.schema.json`,
    description: `TenderKit 投标参数文件（第 ${SCHEMA_VERSION} 版）。由 tenderkit schema --for bid 生成；最终以 tenderkit lint 的检查结果为准。`,
  },
  tender: {
    schema: tenderSchema,
    file: 'tender.schema.json',
    description:
      'TenderKit 招标要求文件（tender.yaml）：招标文件的各项要求及判定条件。由 tenderkit schema --for tender 生成；最终以 tenderkit lint 的检查结果为准。',
  },
  company: {
    schema: companyProfileSchema,
    file: 'company.schema.json',
    description:
      'TenderKit 公司资料（company.yaml）：投标人信息、默认落款、标准服务渠道和人员库。由 tenderkit schema --for company 生成；最终以 tenderkit lint 的检查结果为准。',
  },
  workspace: {
    schema: workspaceSettingsSchema(),
    file: `workspace-v${SETTINGS_VERSION}.schema.json`,
    description:
      'TenderKit 工作区设置（tenderkit.yaml）：默认公司资料、条款库位置和排版样式。由 tenderkit schema --for workspace 生成；最终以 tenderkit 各命令的检查结果为准。',
  },
};

/** The Zod schema a kind of file is checked with. */
export function zodSchemaFor(kind: SchemaKind): z.ZodType {
  return SOURCES[kind].schema;
}

/** The usual file name of a kind's schema, e.g. `bid-v2.schema.json`. */
export function schemaFileName(kind: SchemaKind): string {
  return SOURCES[kind].file;
}

type Json = Record<string, unknown>;

/**
 * Zod's own JSON Schema with the meta keys as it writes them (label, help, enumLabels, valueKind…),
 * read by the Markdown field reference; plus the Zod schema behind every JSON path.
 */
export function annotatedJsonSchema(kind: SchemaKind): {
  json: Json;
  zodAt: ReadonlyMap<string, z.ZodType>;
} {
  const zodAt = new Map<string, z.ZodType>();
  const json = z.toJSONSchema(SOURCES[kind].schema, {
    io: 'input',
    unrepresentable: 'any',
    // Called innermost first for wrappers (string → optional): the last call is the outermost.
    override: (ctx) => void zodAt.set(ctx.path.join('/'), ctx.zodSchema as unknown as z.ZodType),
  }) as Json;
  return { json, zodAt };
}

/** The editor schema of one kind of file: standard keywords only, Chinese titles and help. */
export function jsonSchemaFor(kind: SchemaKind): Json {
  const { json, zodAt } = annotatedJsonSchema(kind);
  const defs: Record<string, Json> = {};
  const out = convert(json, [], { zodAt, defs });
  if (kind === 'bid') relaxForProfile(out, jsonSchemaFor('company'));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://tenderkit.invalid/schema/${SOURCES[kind].file}`,
    ...out,
    description: SOURCES[kind].description,
    ...(Object.keys(defs).length ? { $defs: defs } : {}),
  };
}

// ---------------------------------------------------------------- company profile

const propsOf = (n: unknown): Record<string, Json> | undefined =>
  isObj(n) && isObj(n.properties) ? (n.properties as Record<string, Json>) : undefined;

/** Whether the profile can give every value the bid requires under this field. */
function suppliable(bid: Json | undefined, profile: Json | undefined): boolean {
  if (!bid || !profile) return false;
  const pp = propsOf(profile);
  return ((bid.required as string[] | undefined) ?? []).every((k) =>
    suppliable(propsOf(bid)?.[k], pp?.[k]),
  );
}

/**
 * A bid in a workspace takes facts it does not write from the company profile (merge.ts: the
 * bidder, the default signer), so a field the profile can supply is not required in the bid file.
 */
function relaxForProfile(bid: Json, profile: Json): void {
  const bp = propsOf(bid);
  const pp = propsOf(profile);
  if (!bp || !pp) return;
  const required = (bid.required as string[] | undefined) ?? [];
  const kept = required.filter((k) => !suppliable(bp[k], pp[k]));
  for (const k of required.filter((r) => !kept.includes(r))) {
    const note = '工作区的公司资料（company.yaml）写了此项时，投标文件可以不写';
    bp[k]!.description = [bp[k]!.description, note].filter(Boolean).join('。');
  }
  if (kept.length === 0) delete bid.required;
  else if (kept.length < required.length) bid.required = kept;
  for (const k of Object.keys(bp)) if (pp[k]) relaxForProfile(bp[k]!, pp[k]!);
}

// ---------------------------------------------------------------- keywords

/** Every keyword the output may carry (draft 2020-12 core, applicator, validation, annotations). */
const STANDARD = new Set([
  '$schema',
  '$id',
  '$ref',
  '$defs',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'type',
  'enum',
  'const',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'format',
  'items',
  'prefixItems',
  'maxItems',
  'minItems',
  'uniqueItems',
  'contains',
  'maxProperties',
  'minProperties',
  'required',
  'properties',
  'patternProperties',
  'additionalProperties',
  'propertyNames',
  'dependentRequired',
  'dependentSchemas',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
]);

/** Formats whose standard meaning (ajv-formats, editors) matches the CLI exactly or is looser. */
const SAFE_FORMATS = new Set(['date']);

const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'] as const;
const SUBSCHEMA_LISTS = ['anyOf', 'allOf', 'oneOf', 'prefixItems'] as const;
const SUBSCHEMAS = [
  'items',
  'additionalProperties',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
] as const;

interface Meta {
  label?: string;
  help?: string;
  enumLabels?: Record<string, string>;
  valueKind?: string;
  allow?: DurationKind[];
  /** The units a duration's length may use (fields.ts `duration`). */
  units?: DurationUnit[];
  unit?: string;
  multiline?: boolean;
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Context {
  readonly zodAt: ReadonlyMap<string, z.ZodType>;
  /** Shapes used by many fields (durations), written once under `$defs`. */
  readonly defs: Record<string, Json>;
}

/** A reference to a shared definition, created on first use. */
function ref(ctx: Context, name: string, make: () => Json): Json {
  if (!ctx.defs[name]) ctx.defs[name] = make();
  return { $ref: `#/$defs/${name}` };
}

function convert(node: Json, path: string[], ctx: Context): Json {
  const n: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if ((SUBSCHEMA_MAPS as readonly string[]).includes(k) && isObj(v)) {
      n[k] = Object.fromEntries(
        Object.entries(v).map(([p, s]) => [p, isObj(s) ? convert(s, [...path, k, p], ctx) : s]),
      );
    } else if ((SUBSCHEMA_LISTS as readonly string[]).includes(k) && Array.isArray(v)) {
      n[k] = v.map((s, i) => (isObj(s) ? convert(s, [...path, k, String(i)], ctx) : s));
    } else if ((SUBSCHEMAS as readonly string[]).includes(k) && isObj(v)) {
      n[k] = convert(v, [...path, k], ctx);
    } else n[k] = v;
  }
  const meta = n as Meta;
  const zs = ctx.zodAt.get(path.join('/'));
  const notes: string[] = [];
  const examples: unknown[] = [];

  const help = meta.help;
  if (help) examples.push(...helpExamples(help));

  if (meta.valueKind) {
    const kind = VALUE_KINDS[meta.valueKind];
    if (!kind) throw new Error(`json-schema: unknown valueKind ${meta.valueKind}`);
    const allow = meta.allow ?? [];
    const units = restrictedUnits(meta.units);
    replaceShape(n, kind.schema(allow, units, ctx));
    notes.push(kind.note(allow, units));
    examples.push(...kind.examples(allow, units));
  } else if (meta.unit === '元') {
    replaceShape(n, moneySchema());
    notes.push('单位：元；写数字（如 5000）或带最多两位小数的文本（如 "5000.50"），不能为负数');
    examples.push(5000, '5000.50');
  } else if (meta.unit) {
    notes.push(`单位：${meta.unit}`);
  }

  const inner = zs ? unwrap(zs) : undefined;
  if (n.type === 'string' && inner) notes.push(...regexMessages(inner));
  if (n.type === 'string' && inner && trimmed(inner)) trimmedString(n, inner, notes);
  if ((n.type === 'number' || n.type === 'integer') && inner && halfSteps(inner)) {
    n.multipleOf = 0.5;
    notes.push('可以是整数或半数（如 1.5）');
  }
  if (typeof n.format === 'string' && !SAFE_FORMATS.has(n.format)) delete n.format;
  if (n.format === 'date') {
    if (!notes.some((t) => t.includes('YYYY-MM-DD'))) notes.push('日期写成 YYYY-MM-DD');
    examples.push('2026-11-22');
  }

  const enumNotes = enumDescription(n, meta, path);
  if (enumNotes) notes.push(enumNotes);

  // Union types become anyOf: Ajv's strict mode refuses `type: [a, b]`.
  if (Array.isArray(n.type)) {
    const types = n.type as string[];
    delete n.type;
    n.anyOf = types.map((t) => ({ type: t }));
  }

  if (meta.label) n.title = meta.label;
  const description = [help, ...notes].filter(Boolean).join('。').replace(/。。/g, '。');
  if (description) n.description = description;
  // Where Zod reused one schema at two places (the milestones of afterWarranty and of the tiers),
  // only the first has its Zod node here: a duration's examples are then held to its meta.
  const accepted = (e: unknown) =>
    zs
      ? zs.safeParse(e).success
      : meta.valueKind !== 'duration' || durationAccepts(e, meta.allow ?? [], meta.units);
  const valid = dedupe(examples).filter(accepted);
  if (valid.length) n.examples = [...((n.examples as unknown[]) ?? []), ...valid].slice(0, 6);

  for (const k of Object.keys(n)) if (!STANDARD.has(k)) delete n[k];
  return n;
}

/** Puts a new value shape in place of the node's own, keeping its annotations. */
function replaceShape(n: Json, shape: Json): void {
  for (const k of ['type', 'anyOf', 'pattern', 'properties', 'additionalProperties', 'required'])
    delete n[k];
  Object.assign(n, shape);
}

const dedupe = (list: unknown[]) => {
  const seen = new Set<string>();
  return list.filter((v) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

/** `例如“30分钟”“2小时”` in a help text → ['30分钟', '2小时']. */
export function helpExamples(help: string): string[] {
  return [...help.matchAll(/例如[^“”]{0,6}((?:“[^“”]+”[、，和或]?[^“”]{0,4})+)/g)].flatMap((m) =>
    [...m[1]!.matchAll(/“([^“”]+)”/g)].map((q) => q[1]!),
  );
}

// ---------------------------------------------------------------- enums

const EXTRA_ENUM_LABELS: Record<string, Record<string, string>> = {
  op: OPERATORS,
  aggregate: { sum: '求和', min: '最小值', max: '最大值', count: '计数' },
};

function enumDescription(n: Json, meta: Meta, path: string[]): string | undefined {
  const values = Array.isArray(n.enum) ? (n.enum as unknown[]) : undefined;
  if (!values) return undefined;
  const labels = meta.enumLabels ?? EXTRA_ENUM_LABELS[path[path.length - 1] ?? ''];
  if (!labels) return `可选值：${values.map((v) => `\`${String(v)}\``).join('、')}`;
  return `可选值：${values.map((v) => `\`${String(v)}\` ${labels[String(v)] ?? ''}`.trim()).join('；')}`;
}

// ---------------------------------------------------------------- Zod probes

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s as unknown as { _zod: { def: Record<string, unknown> } };
  for (;;) {
    const d = cur._zod.def;
    if (
      d.innerType &&
      ['optional', 'default', 'nullable', 'readonly', 'prefault'].includes(d.type as string)
    )
      cur = d.innerType as typeof cur;
    else if (d.type === 'pipe') cur = d.in as typeof cur;
    else return cur as unknown as z.ZodType;
  }
}

interface CheckDef {
  check: string;
  format?: string;
  tx?: (s: string) => string;
  error?: (issue?: unknown) => unknown;
}

const checksOf = (s: z.ZodType): CheckDef[] =>
  (
    ((s as unknown as { _zod: { def: { checks?: { _zod: { def: CheckDef } }[] } } })._zod.def
      .checks ?? []) as { _zod: { def: CheckDef } }[]
  ).map((c) => c._zod.def);

/** The messages of a string's `.regex(…, { message })` checks: they say what may be written. */
function regexMessages(s: z.ZodType): string[] {
  return checksOf(s)
    .filter((c) => c.check === 'string_format' && c.format === 'regex')
    .map((c) => c.error?.({}))
    .filter((m): m is string => typeof m === 'string' && m.length > 0);
}

/** Whether a string schema trims its input before checking it (`z.string().trim()`). */
function trimmed(s: z.ZodType): boolean {
  return checksOf(s).some((c) => c.check === 'overwrite' && c.tx?.(' \tx\n ') === 'x');
}

/** Whether a number schema takes halves but not quarters (课时 in steps of half an hour). */
function halfSteps(s: z.ZodType): boolean {
  const ok = (v: number) => s.safeParse(v).success;
  return (ok(1.5) || ok(2.5)) && !ok(1.25) && !ok(2.75) && !ok(1.75);
}

const ALL_UNITS = Object.keys(DURATION_UNITS) as DurationUnit[];

/** The units a period may use when the field restricts them (a warranty is not `30分钟`); else []. */
export function restrictedUnits(units: readonly DurationUnit[] | undefined): DurationUnit[] {
  return units && ALL_UNITS.some((u) => !units.includes(u)) ? [...units] : [];
}

// ---------------------------------------------------------------- trimmed text

// The characters `text()` refuses (fields.ts FORBIDDEN), as a class body for a `u` pattern: C0
// controls except tab and newlines, DEL, C1 controls, surrogates (lone ones; a pair is one code
// point under `u`), U+FFFE/FFFF and the private-use area.
const FORBIDDEN_CLASS =
  '\\uD800-\\uDFFF\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uFFFE\\uFFFF\\uE000-\\uF8FF';

/** `^a|b$` has a top-level alternative: wrapping its inside would change what it means. */
function topLevelAlternation(src: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/**
 * A string the CLI trims before checking: its limits apply to the trimmed value, so a YAML block
 * scalar's final newline or a quoted value's spaces must not count. `maxLength` becomes a pattern
 * that lets surrounding whitespace through; a pattern is widened the same way.
 */
function trimmedString(n: Json, inner: z.ZodType, notes: string[]): void {
  const patterns: string[] = [];
  const own = n.pattern as string | undefined;
  if (own !== undefined) {
    const anchored = /^\^[\s\S]*\$$/.test(own) && !own.endsWith('\\$');
    const body = own.slice(1, -1);
    patterns.push(anchored && !topLevelAlternation(body) ? `^\\s*(?:${body})\\s*$` : own);
  }
  const max = n.maxLength as number | undefined;
  const min = (n.minLength as number | undefined) ?? 0;
  if (max !== undefined) {
    const ok = (v: string) => inner.safeParse(v).success;
    // text(): a non-empty single-line (or multi-line) value without control characters.
    const textLike = own === undefined && min <= 1 && max >= 3 && ok('x');
    const refusesForbidden = textLike && !ok('x\u0001') && !ok('x\uE000');
    const singleLine = textLike && !ok('x\ny');
    if (refusesForbidden) {
      const rest = `[^${FORBIDDEN_CLASS}${singleLine ? '\\n\\r' : ''}]`;
      patterns.push(
        min === 1
          ? `^\\s*[^\\s${FORBIDDEN_CLASS}]${rest}{0,${max - 1}}\\s*$`
          : `^\\s*(?:[^\\s${FORBIDDEN_CLASS}]${rest}{0,${max - 1}})?\\s*$`,
      );
      notes.push(
        `${singleLine ? '单行文本，' : ''}不超过 ${max} 个字符${singleLine ? '' : '，可以换行'}，不能含控制字符`,
      );
    } else {
      patterns.push(`^\\s*[\\s\\S]{0,${max}}\\s*$`);
      notes.push(`不超过 ${max} 个字符`);
    }
    delete n.maxLength;
  }
  delete n.pattern;
  if (patterns.length === 1) n.pattern = patterns[0];
  else if (patterns.length > 1) n.allOf = patterns.map((p) => ({ pattern: p }));
}

// ---------------------------------------------------------------- value kinds

// Characters no accepted duration or frequency ever holds once normalised (NFKC, spaces removed),
// and that normalisation never produces from anything else: ASCII letters, signs and punctuation of
// ranges, times and rates. `2 hours`, `4-8小时`, `8:00` are refused; `３年` or `㏠` are not.
const NEVER_IN_DURATION = 'A-Za-z%/:~+*=-';

/** Chinese unit words a `{ amount, unit }` object may use besides the English keys. */
const UNIT_WORDS = [
  '分钟',
  '小时',
  '个小时',
  '日',
  '天',
  '日历日',
  '个日历日',
  '自然日',
  '个自然日',
  '工作日',
  '个工作日',
  '周',
  '星期',
  '个星期',
  '月',
  '个月',
  '年',
];

/** Every `unit` value `{ amount, unit }` accepts, in the given units (all when empty). */
export function durationUnitNames(units: readonly DurationUnit[] = []): string[] {
  return [...Object.keys(DURATION_UNITS), ...UNIT_WORDS].filter((w) => {
    const r = parseDuration({ amount: 1, unit: w });
    return r.ok && r.value.kind === 'amount' && (!units.length || units.includes(r.value.unit));
  });
}

const AMOUNT_EXAMPLES: Record<DurationUnit, string> = {
  minute: '30分钟',
  hour: '2小时',
  workday: '1个工作日',
  day: '7日',
  week: '一周',
  month: '3个月',
  year: '3年',
};

const SPECIAL_TEXT: Record<Exclude<DurationKind, 'amount' | 'split'>, string> = {
  immediate: '立即',
  negotiable: '协商确定',
  lifetime: '终身',
};

function amountObject(units: readonly DurationUnit[]): Json {
  return {
    type: 'object',
    title: '数量和单位',
    properties: {
      amount: {
        title: '数量',
        description: '大于 0，整数或半数（如 1.5）',
        // Every double from 2^53 on is an integer, and `multipleOf` misjudges them (Ajv divides
        // and compares with parseInt), so integers take the first branch.
        anyOf: [
          { type: 'integer', exclusiveMinimum: 0 },
          { type: 'number', exclusiveMinimum: 0, multipleOf: 0.5 },
        ],
      },
      unit: {
        title: '单位',
        description: `${(units.length ? units : Object.keys(DURATION_UNITS)).join('、')} 或相应的中文单位`,
        enum: durationUnitNames(units),
      },
    },
    required: ['amount', 'unit'],
    additionalProperties: false,
  };
}

function durationText(): Json {
  return {
    type: 'string',
    title: '时长文本',
    minLength: 1,
    pattern: `^(?![\\s\\d.]*$)[^${NEVER_IN_DURATION}]*$`,
  };
}

function durationSchema(
  allow: readonly DurationKind[],
  units: readonly DurationUnit[],
  ctx: Context,
): Json {
  const text = ref(ctx, 'duration-text', durationText);
  const anyAmount = ref(ctx, 'duration-amount', () => amountObject([]));
  const branches: Json[] = [text];
  if (allow.includes('amount'))
    branches.push(
      units.length
        ? ref(ctx, `duration-amount-${units.join('-')}`, () => amountObject(units))
        : anyAmount,
    );
  if (allow.includes('split'))
    branches.push(
      ref(ctx, 'duration-split', () => ({
        type: 'object',
        title: '分别写工作日和节假日时限',
        properties: {
          workday: { title: '工作日', anyOf: [text, anyAmount] },
          holiday: { title: '节假日', anyOf: [text, anyAmount] },
        },
        required: ['workday', 'holiday'],
        additionalProperties: false,
      })),
    );
  return { anyOf: branches };
}

const SPLIT_EXAMPLE = '工作日24小时、节假日48小时';

/** Whether a duration field with these kinds and units takes `v` (as fields.ts `duration` does). */
function durationAccepts(
  v: unknown,
  allow: readonly DurationKind[],
  units: readonly DurationUnit[] | undefined,
): boolean {
  const r = parseDuration(v);
  return (
    r.ok &&
    allow.includes(r.value.kind) &&
    (r.value.kind !== 'amount' || !units || units.includes(r.value.unit))
  );
}

/** A unit as the field reference and messages name it: 分钟、小时、日、工作日、周、月、年. */
const unitWord = (u: DurationUnit) => DURATION_UNITS[u].replace('个', '');

/**
 * Which units a duration field's lengths may use, in words: 单位可用分钟、小时、日、工作日、周、月、年,
 * or for a period 以日、周、月、年计（不能写分钟、小时、工作日）. `units` empty: all.
 */
export function durationUnitsText(units: readonly DurationUnit[]): string {
  if (!units.length) return `单位可用${ALL_UNITS.map(unitWord).join('、')}`;
  const refused = ALL_UNITS.filter((u) => !units.includes(u));
  return `以${units.map(unitWord).join('、')}计（不能写${refused.map(unitWord).join('、')}）`;
}

/**
 * Every written form a duration field takes, one example each, all of them accepted by that field:
 * a length in each unit it allows (`30分钟` … `3年`), then `立即`, `协商确定`, `终身`, and the split
 * form `工作日24小时、节假日48小时` where allowed. The field reference and the editor schema both show it.
 */
export function durationForms(
  allow: readonly DurationKind[],
  units: readonly DurationUnit[],
): string[] {
  return [
    ...(allow.includes('amount')
      ? (units.length ? units : ALL_UNITS).map((u) => AMOUNT_EXAMPLES[u])
      : []),
    ...(['immediate', 'negotiable', 'lifetime'] as const)
      .filter((k) => allow.includes(k))
      .map((k) => SPECIAL_TEXT[k]),
    ...(allow.includes('split') ? [SPLIT_EXAMPLE] : []),
  ];
}

function durationNote(allow: readonly DurationKind[], units: readonly DurationUnit[]): string {
  const forms = durationForms(allow, units)
    .filter((f) => f !== SPLIT_EXAMPLE)
    .map((f) => `\`${f}\``);
  const parts = [
    `时长${allow.includes('amount') ? `，${durationUnitsText(units)}` : ''}，可写 ${forms.join(' ')}`,
  ];
  if (allow.includes('amount')) {
    const unit =
      !units.length || units.includes('hour')
        ? 'hour'
        : units.includes('month')
          ? 'month'
          : units[0];
    parts.push(
      `也可写 \`{ amount: ${unit === 'hour' ? 2 : 3}, unit: ${unit} }\`（数字要带单位，不能只写数字）`,
    );
  }
  if (allow.includes('split'))
    parts.push(
      `工作日和节假日时限不同时写 \`${SPLIT_EXAMPLE}\` 或 \`{ workday: 24小时, holiday: 48小时 }\``,
    );
  return parts.join('；');
}

function durationExamples(
  allow: readonly DurationKind[],
  units: readonly DurationUnit[],
): string[] {
  const amounts = allow.includes('amount')
    ? (units.length ? units : (['minute', 'hour', 'workday'] as DurationUnit[])).map(
        (u) => AMOUNT_EXAMPLES[u],
      )
    : [];
  return [
    ...amounts,
    ...(['immediate', 'negotiable', 'lifetime'] as const)
      .filter((k) => allow.includes(k))
      .map((k) => SPECIAL_TEXT[k]),
  ];
}

/** A regular expression that lets whitespace stand between any two characters of `word`. */
const spaced = (word: string) =>
  [...word].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*');
const S = '\\s*';

const FREQUENCY_PATTERN = `^${S}(?:[每一]|${spaced('不限')}|${spaced('定期')}|${spaced('不定期')})[^${NEVER_IN_DURATION}]*$`;

// 0 < p ≤ 100 written with digits (`95`, `99.5`, `0.5`), an optional % or ％, spaces around. A
// fraction on 100 is let through: `100.0000000000000001` is 100 as a double.
const PERCENT_PATTERN = `^\\s*(?:0*(?:[1-9]\\d?|100)(?:\\.\\d+)?|0+\\.\\d*[1-9]\\d*)[%％]?\\s*$`;

const CLOCK = `\\d(?:${S}\\d)?${S}[:：]${S}[0-5]${S}\\d`;
const SERVICE_HOURS_PATTERN =
  `^${S}(?:7${S}[x×*X]${S}2${S}4(?:${S}${spaced('小时')})?|${spaced('全天候')}|` +
  `(?:${spaced('法定工作日')}|${spaced('工作日')}|${spaced('每天')}|${spaced('每日')})(?:${S}${spaced('每天')})?${S}` +
  `(?:\\d(?:${S}\\d)*(?:${S}\\.${S}\\d(?:${S}\\d)*)?${S}${spaced('小时')}|${CLOCK}${S}[-–—~～至到]${S}${CLOCK}))${S}$`;

// Yuan with at most two decimals; thousands separators anywhere (the CLI drops every comma).
// `multipleOf: 0.01` is not used for numbers: binary fractions make 0.29 / 0.01 not an integer, so
// validators would refuse amounts the CLI takes; the text form's pattern counts the decimals.
const MONEY_PATTERN = `^\\s*,*(?:\\d,*){1,12}(?:\\.,*(?:\\d,*){1,2})?\\s*$`;

function moneySchema(): Json {
  return {
    anyOf: [
      { type: 'number', minimum: 0, exclusiveMaximum: 1e12 },
      { type: 'string', pattern: MONEY_PATTERN },
    ],
  };
}

interface ValueKind {
  schema(allow: readonly DurationKind[], units: readonly DurationUnit[], ctx: Context): Json;
  note(allow: readonly DurationKind[], units: readonly DurationUnit[]): string;
  examples(allow: readonly DurationKind[], units: readonly DurationUnit[]): unknown[];
}

const VALUE_KINDS: Record<string, ValueKind> = {
  duration: { schema: durationSchema, note: durationNote, examples: durationExamples },
  frequency: {
    schema: () => ({ type: 'string', pattern: FREQUENCY_PATTERN }),
    note: () =>
      '频次，可写 `每月` `每季度` `每半年` `每年` `每3个月` `每年4次` `不限次数`，或不写次数的 `定期` `不定期`',
    examples: () => ['每季度', '每月', '每年4次', '不限次数'],
  },
  percent: {
    schema: () => ({
      anyOf: [
        { type: 'number', exclusiveMinimum: 0, maximum: 100 },
        { type: 'string', pattern: PERCENT_PATTERN },
      ],
    }),
    note: () => '百分比，写 `95%` 或 95，大于 0 且不超过 100',
    examples: () => ['95%', '99.5%'],
  },
  'service-hours': {
    schema: () => ({ type: 'string', pattern: SERVICE_HOURS_PATTERN }),
    note: () =>
      '服务时间，可写 `7x24`、`工作日 8:00-18:00`、`法定工作日 8:30-17:30`、`每天 8:00-24:00` 或 `工作日每天8小时`',
    examples: () => ['7x24', '工作日 8:00-18:00', '每天 8:00-24:00', '工作日每天8小时'],
  },
};

/** The patterns, for tests that check them against the CLI's parsers. */
export const VALUE_PATTERNS = {
  duration: durationText().pattern as string,
  frequency: FREQUENCY_PATTERN,
  percent: PERCENT_PATTERN,
  serviceHours: SERVICE_HOURS_PATTERN,
  money: MONEY_PATTERN,
} as const;
