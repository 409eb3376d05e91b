import { Ajv } from 'ajv';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseDuration, parseFrequency, parsePercent, parseServiceHours } from './duration.js';
import {
  annotatedJsonSchema,
  durationUnitNames,
  helpExamples,
  jsonSchemaFor,
  SCHEMA_KINDS,
  VALUE_PATTERNS,
  type SchemaKind,
} from './json-schema.js';
import { fieldReference } from './reference.js';

type Json = Record<string, unknown>;

const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ??
  addFormatsPlugin) as (ajv: Ajv2020) => Ajv2020;

/** One strict Ajv holding all four schemas, so any subschema can be fetched by pointer. */
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const schemas = Object.fromEntries(SCHEMA_KINDS.map((k) => [k, jsonSchemaFor(k)])) as Record<
  SchemaKind,
  Json
>;
for (const s of Object.values(schemas)) ajv.addSchema(s);

const at = (kind: SchemaKind, pointer: string): ValidateFunction => {
  const v = ajv.getSchema(`${schemas[kind].$id as string}#${pointer}`);
  if (!v) throw new Error(`no schema at ${kind}#${pointer}`);
  return v;
};

/** Every place in a schema that holds a subschema, with its JSON pointer. */
function* subschemas(node: unknown, pointer = ''): Generator<[string, Json]> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
  const n = node as Json;
  yield [pointer, n];
  for (const k of ['properties', 'patternProperties', '$defs'] as const)
    for (const [p, s] of Object.entries((n[k] as Json | undefined) ?? {}))
      yield* subschemas(s, `${pointer}/${k}/${p}`);
  for (const k of ['anyOf', 'allOf', 'oneOf', 'prefixItems'] as const)
    for (const [i, s] of ((n[k] as unknown[] | undefined) ?? []).entries())
      yield* subschemas(s, `${pointer}/${k}/${i}`);
  for (const k of ['items', 'additionalProperties', 'propertyNames', 'not'] as const)
    yield* subschemas(n[k], `${pointer}/${k}`);
}

const STANDARD = new Set(
  '$schema $id $ref $defs title description default examples type enum const multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength minLength pattern format items prefixItems maxItems minItems uniqueItems required properties patternProperties additionalProperties propertyNames allOf anyOf oneOf not'.split(
    ' ',
  ),
);

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The shipped files of a kind (examples and seeds), parsed as an editor parses them. */
function kindSamples(kind: SchemaKind): unknown[] {
  if (kind === 'company' || kind === 'workspace') return [];
  const files = [
    ...readdirSync(path.join(ROOT, 'examples')).map((f) => path.join(ROOT, 'examples', f)),
    ...readdirSync(path.join(ROOT, 'test', 'seeds')).map((f) =>
      path.join(ROOT, 'test', 'seeds', f),
    ),
  ].filter((f) => f.endsWith('.yaml') && !f.endsWith('.expect.yaml'));
  return files
    .map((f) => parse(readFileSync(f, 'utf8'), { version: '1.2', schema: 'core' }) as Json)
    .filter((d) => 'requirements' in d === (kind === 'tender'))
    .flatMap((d) => [d, { ...d, surplus: 1 }]);
}

describe('editor JSON Schemas', () => {
  it('compile in Ajv strict mode and use only standard keywords', () => {
    for (const kind of SCHEMA_KINDS) {
      const strict = new Ajv2020({ strict: true });
      addFormats(strict);
      expect(() => strict.compile(schemas[kind]), kind).not.toThrow();
      expect(schemas[kind].$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      for (const [pointer, node] of subschemas(schemas[kind]))
        for (const key of Object.keys(node))
          expect(STANDARD.has(key), `${kind}#${pointer} has “${key}”`).toBe(true);
    }
  });

  it('mean the same to a draft-07 validator (the version the Red Hat YAML extension implements)', () => {
    // Only keywords whose meaning did not change since draft-07; `$ref` stands alone (draft-07
    // ignores its siblings) and points into `$defs` with a plain JSON pointer.
    const seven = new Ajv({ strict: true, allErrors: true });
    addFormats(seven as unknown as Ajv2020);
    for (const kind of SCHEMA_KINDS) {
      for (const [pointer, node] of subschemas(schemas[kind]))
        if (node.$ref !== undefined)
          expect(Object.keys(node), `${kind}#${pointer}`).toEqual(['$ref']);
      const draft7 = seven.compile({
        ...schemas[kind],
        $schema: 'http://json-schema.org/draft-07/schema#',
        $id: `${schemas[kind].$id as string}#draft-07`.replace('.json#draft-07', '.draft-07.json'),
      });
      const v2020 = at(kind, '');
      const samples: unknown[] = [
        ...kindSamples(kind),
        {},
        { version: 2, extra: true },
        { bidder: { name: 1 } },
      ];
      for (const sample of samples)
        expect(draft7(sample), JSON.stringify(sample)).toBe(v2020(sample));
    }
  });

  it('turn the Zod meta into Chinese titles, descriptions and examples', () => {
    const bid = schemas.bid;
    const props = bid.properties as Record<string, Json>;
    expect(bid.title).toBe('投标参数');
    const milestone = at('bid', '/properties/responseTiers/items/properties/milestones/items')
      .schema as Json;
    const kind = (milestone.properties as Record<string, Json>).kind!;
    expect(kind.title).toBe('环节');
    expect(kind.description).toContain('`onsite` 到达现场');
    expect(kind.description).toContain('`respond` 响应');
    const within = (milestone.properties as Record<string, Json>).within!;
    expect(within.title).toBe('时限');
    expect(within.description).toContain('`30分钟`');
    expect(within.description).toContain('`工作日24小时、节假日48小时`');
    expect(within.examples).toEqual(expect.arrayContaining(['30分钟', '2小时', '立即']));
    const hours = (props.service!.properties as Record<string, Json>).hours!;
    expect(hours.description).toContain('`7x24`');
    expect(hours.examples).toContain('7x24');
    const total = (props.training!.properties as Record<string, Json>).totalHours!;
    expect(total).toMatchObject({ type: 'number', multipleOf: 0.5, title: '总课时（学时）' });
    const fee = (props.afterWarranty!.properties as Record<string, Json>).annualFeeCap!;
    expect(fee.description).toContain('单位：元');
    expect(fee.examples).toEqual([5000, '5000.50']);
    const id = at('bid', '/properties/training/properties/audiences/items/properties/id').schema;
    expect((id as Json).description).toContain('编号只能由小写字母、数字和连字符组成');
    // The tender file's comparators carry their Chinese reading.
    const op = at('tender', '/properties/requirements/items/properties/condition/properties/op')
      .schema as Json;
    expect(op.description).toContain('`>=` 不少于');
    expect(schemas.tender.title).toBe('招标要求文件');
    expect(schemas.company.title).toBe('公司资料');
    expect(schemas.workspace.title).toBe('工作区设置');
  });

  it('gives only examples that the CLI and the schema both accept', () => {
    let count = 0;
    for (const kind of SCHEMA_KINDS) {
      const { zodAt } = annotatedJsonSchema(kind);
      for (const [pointer, node] of subschemas(schemas[kind])) {
        if (!Array.isArray(node.examples) || pointer.startsWith('/$defs')) continue;
        const zs = zodAt.get(pointer.slice(1));
        for (const ex of node.examples) {
          count++;
          expect(at(kind, pointer)(ex), `${kind}#${pointer} ${JSON.stringify(ex)}`).toBe(true);
          if (zs) expect(zs.safeParse(ex).success, `${pointer} ${JSON.stringify(ex)}`).toBe(true);
        }
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(helpExamples('例如热线“30分钟”、邮件“24小时”')).toEqual(['30分钟', '24小时']);
    expect(helpExamples('环节选“其他”时必填')).toEqual([]);
  });

  it('does not require in a bid what the company profile supplies', () => {
    const bid = schemas.bid;
    expect(bid.required).toEqual(['version', 'tenderee', 'project', 'signature']);
    const sig = (bid.properties as Record<string, Json>).signature!;
    expect(sig.required).toEqual(['date']);
    const validate = at('bid', '');
    const noBidder = {
      version: 2,
      tenderee: { name: '甲' },
      project: { name: '项目' },
      signature: { date: '2026-11-22' },
    };
    expect(validate(noBidder)).toBe(true);
    expect(validate({ ...noBidder, signature: {} })).toBe(false);
  });

  it('keeps the Markdown field reference generated from the same meta', () => {
    const md = fieldReference();
    expect(md).toContain('| `version` | 参数格式版本 | 数字 | 是 |');
    expect(md).toContain('| `service.inspections` | 巡检频次 | 频次，如 `每季度`');
    expect(fieldReference('tender')).toContain('| `requirements[].condition.op` | 比较方式 |');
    expect(fieldReference('company')).toContain('| `bidder.name` | 投标人名称 |');
    expect(fieldReference('workspace')).toContain('| `version` | 工作区格式版本 |');
  });
});

// ---------------------------------------------------------------- never stricter than the CLI

// Characters that make the parsers' normalisation interesting: full-width digits, compatibility
// ideographs (㏠ is 1日, ⼩ is 小), letters, signs, whitespace of every kind, separators.
const TRICKY = [
  ...'0123456789.０１２３４５６７８９',
  ...'一二两三四五六七八九十百半个零〇壹贰',
  ...'分钟小时日天工作周星期月年自然历',
  ...'立即协商确定双方终身每季度不限次少于定期全候法',
  ...'㏠㋀⼩⽇⽉⽇',
  ...' \t\n\u3000\u00a0、，,；;-–~～至到:：xX×*%％hA',
];
const trickyString = fc
  .array(fc.constantFrom(...TRICKY), { maxLength: 10 })
  .map((cs) => cs.join(''));

const UNIT_TEXT = [
  '分钟',
  '小时',
  '个小时',
  '日',
  '天',
  '个工作日',
  '工作日',
  '周',
  '星期',
  '个月',
  '月',
  '年',
];
const spacedOut = (s: string, gaps: boolean[]) =>
  [...s].map((c, i) => (gaps[i % gaps.length] ? `${c} ` : c)).join('');
const wide = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
const durationText = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 0, max: 200_000 }).map(String),
      fc.double({ min: 0, max: 100, noNaN: true }).map((n) => String(Math.round(n * 4) / 4)),
      fc.constantFrom('一', '两', '十二', '二十四', '半', '一百二十', '1个半', '两个半', '-2'),
    ),
    fc.constantFrom(...UNIT_TEXT),
    fc.boolean(),
    fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
  )
  .map(([n, u, w, gaps]) => spacedOut(w ? wide(`${n}${u}`) : `${n}${u}`, gaps));
const durationValue = fc.oneof(
  durationText,
  fc.constantFrom('立即', '协商确定', '协商', '双方协商确定', '终身', ' 立 即 ', '一年半', '3年半'),
  fc.tuple(durationText, durationText).map(([a, b]) => `工作日${a}、节假日${b}`),
  trickyString,
  fc.record({
    amount: fc.oneof(
      fc.constantFrom(0.5, 1, 1.5, 2, 1e21, 1e300, 0, -1, 1.25),
      fc.double({ noNaN: true }),
    ),
    unit: fc.constantFrom(...durationUnitNames(), 'hours', '', '小时 ', '季度'),
  }),
  fc.record({ workday: durationText, holiday: fc.oneof(durationText, fc.constant('终身')) }),
  fc.integer(),
);

const frequencyValue = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('每', '一', ' 每'),
      fc.constantFrom('月', '季度', '半年', '年', '3个月', '两周', '天', '２个月', 'month'),
      fc.constantFrom('', '不少于', '4次', '不少于4次', '两次', '0次'),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
    )
    .map(([a, b, c, gaps]) => spacedOut(`${a}${b}${c}`, gaps)),
  fc.constantFrom('不限次数', '不 限', '定期', '不定期', '  定 期 '),
  trickyString,
);

const percentValue = fc.oneof(
  fc.double({ min: -10, max: 200, noNaN: true }),
  fc.constantFrom(100, 0, 1e-7, 100.00000000000001),
  fc
    .tuple(
      fc.oneof(
        fc.double({ min: 0, max: 120, noNaN: true }).map(String),
        fc.constantFrom('0.5', '007', '100.0', '100.0000000000000001', '00.0', '.5', '1e2', '0100'),
      ),
      fc.constantFrom('', '%', '％', ' %', '%%'),
      fc.constantFrom('', ' ', '\t', '\n'),
    )
    .map(([n, p, w]) => `${w}${n}${p}${w}`),
);

const CLOCKS = ['8:00', '08:30', '18:00', '24:00', '24:30', '9：00', '25:00', '8:0', '8点'];
const serviceHoursValue = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('工作日', '法定工作日', '每天', '每日', '工作日每天', '周一至周五', ''),
      fc.oneof(
        fc
          .tuple(
            fc.constantFrom(...CLOCKS),
            fc.constantFrom('-', '–', '至', '~', '到', '/'),
            fc.constantFrom(...CLOCKS),
          )
          .map((t) => t.join('')),
        fc.constantFrom('8小时', '8.5小时', '24小时', '25小时', '0小时', '8h'),
      ),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
    )
    .map(([d, r, gaps]) => spacedOut(`${d}${r}`, gaps)),
  fc.constantFrom('7x24', '7×24', '7*24', '7X24小时', '7 x 24', '全天候', '24/7', '7x24h'),
  trickyString,
);

const moneyValue = fc.oneof(
  fc.double({ min: -1, max: 2e12, noNaN: true }),
  fc.constantFrom(0, -0, 0.29, 0.07, 5000.5, 999_999_999_999.99, 1e12, 1e21),
  fc
    .tuple(
      fc.constantFrom(
        '5000',
        '5,000',
        '1,234,567.89',
        '0.5',
        '5000.505',
        ',5,0,0,0,',
        '-5',
        '1.,5',
      ),
      fc.constantFrom('', ' ', '\n'),
    )
    .map(([m, w]) => `${w}${m}${w}`),
);

// Text around a value: the CLI trims, so a block scalar's newline or quoted spaces must pass.
const padded = (inner: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom('', ' ', '\n', '\t ', '\u3000'), inner, fc.constantFrom('', '\n', '  '))
    .map(([a, b, c]) => `${a}${b}${c}`);
const textValue = fc.oneof(
  padded(fc.string({ unit: 'grapheme', maxLength: 60 })),
  padded(fc.constantFrom('x'.repeat(40), 'x'.repeat(41), '字'.repeat(200), '字'.repeat(201))),
  padded(fc.constantFrom('a\nb', 'a\u0001b', 'a\uE000', 'a\uD800', '😀'.repeat(30), '  ', '')),
  padded(
    fc.constantFrom('0571-88886666', '+86 (571) 8888', '12', 'service@example.com', 'a@b-.cn'),
  ),
);

/** A field of a schema: its pointer, the Zod schema behind it and the kind of value it holds. */
function fields(kind: SchemaKind) {
  const { json, zodAt } = annotatedJsonSchema(kind);
  const out: { pointer: string; zod: z.ZodType; meta: Json }[] = [];
  for (const [pointer, node] of subschemas(json)) {
    if (!/(?:\/properties\/[^/]+|\/items)$/.test(pointer)) continue;
    const zod = zodAt.get(pointer.slice(1));
    if (zod) out.push({ pointer, zod, meta: node });
  }
  return out;
}

function arbitraryFor(meta: Json): fc.Arbitrary<unknown> {
  switch (meta.valueKind) {
    case 'duration':
      return durationValue;
    case 'frequency':
      return frequencyValue;
    case 'percent':
      return percentValue;
    case 'service-hours':
      return serviceHoursValue;
  }
  if (meta.unit === '元') return moneyValue;
  if (Array.isArray(meta.enum)) return fc.oneof(fc.constantFrom(...meta.enum), textValue);
  if (meta.type === 'string') return textValue;
  if (meta.type === 'number' || meta.type === 'integer')
    return fc.oneof(
      fc.integer({ min: -5, max: 20_000 }),
      fc.double({ min: -1, max: 20_000, noNaN: true }),
      fc.integer({ min: 0, max: 40 }).map((n) => n / 2),
    );
  return fc.oneof(textValue, fc.integer(), fc.boolean(), durationValue);
}

describe('never stricter than the CLI', () => {
  // The property the editor schemas promise: whatever the CLI's own field schema takes, the JSON
  // Schema takes too. Checked for every field of all four files with values built to probe each
  // kind's edges (normalisation, padding, limits, binary fractions).
  for (const kind of SCHEMA_KINDS) {
    it(`${kind}: every value a field's Zod schema accepts passes Ajv`, () => {
      let accepted = 0;
      let rejected = 0;
      for (const f of fields(kind)) {
        const validate = at(kind, f.pointer);
        fc.assert(
          fc.property(arbitraryFor(f.meta), (v) => {
            if (!f.zod.safeParse(v).success) return void rejected++;
            accepted++;
            if (!validate(v))
              throw new Error(
                `${kind}#${f.pointer}: the CLI takes ${JSON.stringify(v)}, Ajv says ${ajv.errorsText(validate.errors)}`,
              );
          }),
          { numRuns: 150, seed: 11 },
        );
      }
      // Both outcomes occur: the generators reach valid values and the edges around them.
      expect(accepted).toBeGreaterThan(500);
      expect(rejected).toBeGreaterThan(500);
    });
  }

  it('the value patterns follow the parsers', () => {
    const re = (p: string) => new RegExp(p, 'u');
    const cases: [string, fc.Arbitrary<unknown>, (v: unknown) => boolean][] = [
      [VALUE_PATTERNS.duration, fc.oneof(durationText, trickyString), (v) => parseDuration(v).ok],
      [VALUE_PATTERNS.frequency, frequencyValue, (v) => parseFrequency(v).ok],
      [VALUE_PATTERNS.serviceHours, serviceHoursValue, (v) => parseServiceHours(v).ok],
      [
        VALUE_PATTERNS.percent,
        percentValue.filter((v) => typeof v === 'string'),
        (v) => parsePercent(v).ok,
      ],
    ];
    for (const [pattern, arb, ok] of cases)
      fc.assert(
        fc.property(arb, (v) => !ok(v) || re(pattern).test(v as string)),
        { numRuns: 3000, seed: 6 },
      );
    // And they do tell the common mistakes.
    expect(re(VALUE_PATTERNS.duration).test('2 hours')).toBe(false);
    expect(re(VALUE_PATTERNS.duration).test('30')).toBe(false);
    expect(re(VALUE_PATTERNS.duration).test('4-8小时')).toBe(false);
    expect(re(VALUE_PATTERNS.frequency).test('quarterly')).toBe(false);
    expect(re(VALUE_PATTERNS.frequency).test('季度')).toBe(false);
    expect(re(VALUE_PATTERNS.serviceHours).test('24/7')).toBe(false);
    expect(re(VALUE_PATTERNS.serviceHours).test('8:00-18:00')).toBe(false);
    expect(re(VALUE_PATTERNS.percent).test('120%')).toBe(false);
    expect(re(VALUE_PATTERNS.percent).test('-5%')).toBe(false);
    expect(re(VALUE_PATTERNS.money).test('5000.505')).toBe(false);
  });

  it('lists every unit word the `{ amount, unit }` form accepts', () => {
    // Exhaustive over strings of up to four characters from the unit words' own characters.
    const chars = [...new Set([...'个日历自然工作小时分钟星期月周天年'])];
    const listed = new Set(durationUnitNames());
    let words = [''];
    for (let len = 1; len <= 4; len++) {
      words = words.flatMap((w) => chars.map((c) => w + c));
      for (const w of words)
        if (parseDuration({ amount: 1, unit: w }).ok)
          expect(listed.has(w), `unit “${w}”`).toBe(true);
    }
    for (const u of ['minute', 'hour', 'day', 'workday', 'week', 'month', 'year'])
      expect(listed.has(u)).toBe(true);
  });
});
