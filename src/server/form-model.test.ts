// The form loses nothing: for generated valid bids, the page's fields (as a browser submits them)
// read back as the same bid, and saving them changes not one byte of the stored YAML.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { asFormBody, formFields, renderFormPage } from '../../test/form-helpers.js';
import { bidSchema, type BidInput } from '../schema/bid.js';
import { formModel, pathLabel, steps } from './form-model.js';
import { formChanges, inputFromForm } from './form-values.js';
import { applyChanges, blank, changesOf, editYaml } from './yaml-edit.js';

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Text with the characters that used to split items (、，), quotes, markup and spaces inside. */
const word = fc
  .array(
    fc.constantFrom(
      '医',
      '院',
      '服',
      '务',
      '、',
      '，',
      '（',
      '）',
      'A',
      '1',
      ' ',
      '"',
      '<',
      '&',
      '#',
      '：',
    ),
    { minLength: 1, maxLength: 10 },
  )
  .map((a) => `项${a.join('')}目`);
const multiline = fc
  .array(word, { minLength: 1, maxLength: 3 })
  .chain((lines) => fc.constantFrom('', '\n').map((end) => lines.join('\n') + end));
const subset = <T>(xs: readonly T[], min = 0) =>
  fc.shuffledSubarray([...xs], { minLength: min, maxLength: xs.length });
const date = fc
  .record({
    y: fc.integer({ min: 2020, max: 2030 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
const period = fc.oneof(
  fc.integer({ min: 1, max: 60 }).map((n) => `${n}个月`),
  fc.integer({ min: 1, max: 10 }).map((n) => ({ amount: n, unit: 'year' })),
  fc.constantFrom('终身', '3年', '两年'),
);
const limit = fc.oneof(
  fc.integer({ min: 1, max: 48 }).map((n) => `${n}小时`),
  fc.constant({ amount: 30, unit: 'minute' }),
  fc.constant({ workday: '24小时', holiday: '48小时' }),
  fc.constantFrom('立即', '协商确定', '1个工作日'),
);
const money = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.constantFrom(2000.5, '2000.50', '1,000'),
);
const milestone = fc.oneof(
  fc.record(
    {
      kind: fc.constantFrom('respond', 'remote', 'onsite', 'plan', 'restore', 'resolve'),
      within: limit,
      from: maybe(fc.constantFrom('report', 'previous')),
      performer: maybe(word),
      excludesTravel: maybe(fc.boolean()),
      fallback: maybe(fc.record({ kind: fc.constant('custom'), label: word, within: limit })),
    },
    { requiredKeys: ['kind', 'within'] },
  ),
  fc.record({
    kind: fc.constant('onsite'),
    cases: fc.array(fc.record({ when: word, within: limit }), { minLength: 2, maxLength: 3 }),
  }),
);
const CHANNELS = ['hotline', 'phone', 'remote', 'onsite', 'email', 'online'];

const bidArb = fc
  .record(
    {
      documents: maybe(subset(['commitment-letter', 'service-plan', 'training-plan'], 1)),
      bidder: fc.record(
        { name: word, hotline: maybe(fc.constant('0731-8890-5566')) },
        { requiredKeys: ['name'] },
      ),
      project: fc.record(
        { name: word, number: maybe(word), publishedOn: maybe(date) },
        { requiredKeys: ['name'] },
      ),
      warranty: maybe(
        fc.record(
          {
            components: fc.array(
              fc.record(
                { name: word, period, onsite: maybe(fc.constant('1年')) },
                { requiredKeys: ['name', 'period'] },
              ),
              { minLength: 1, maxLength: 3 },
            ),
            start: maybe(fc.constantFrom('acceptance', 'go-live')),
            freeServices: maybe(
              subset(['troubleshooting', 'defect-fixes', 'maintenance', 'parts', 'travel'], 1),
            ),
          },
          { requiredKeys: ['components'] },
        ),
      ),
      staff: maybe(
        fc.record(
          {
            committedCount: maybe(fc.integer({ min: 1, max: 50 })),
            fullTime: maybe(fc.boolean()),
            roster: maybe(
              fc.array(fc.record({ name: word, phone: fc.constant('139-0000-0000'), role: word }), {
                maxLength: 3,
              }),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      service: maybe(
        fc.record(
          {
            hours: maybe(fc.constantFrom('7x24', '工作日 8:00-18:00')),
            channels: maybe(subset(CHANNELS, 1).map((ks) => ks.map((kind) => ({ kind })))),
            escalation: maybe(subset(CHANNELS, 2)),
            consultationClosure: maybe(
              fc.record({ percent: fc.constantFrom('90%', 95), within: fc.constant('7日') }),
            ),
            inspections: maybe(fc.constantFrom('每季度', '每年4次')),
          },
          { requiredKeys: [] },
        ),
      ),
      responseTiers: maybe(
        fc.array(
          fc.oneof(
            fc.record(
              {
                name: word,
                definition: maybe(multiline),
                milestones: fc.array(milestone, { minLength: 1, maxLength: 3 }),
              },
              { requiredKeys: ['name', 'milestones'] },
            ),
            fc.record({ name: word, negotiable: fc.constant(true as const) }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      ),
      afterWarranty: maybe(
        fc.record(
          { pricing: maybe(fc.constantFrom('cost', 'free')), annualFeeCap: maybe(money) },
          { requiredKeys: [] },
        ),
      ),
      penalties: maybe(
        fc.record({
          items: fc.array(
            fc.record(
              { condition: word, measure: word, amount: maybe(money) },
              { requiredKeys: ['condition', 'measure'] },
            ),
            { minLength: 1, maxLength: 2 },
          ),
        }),
      ),
      exclusions: maybe(
        fc.record(
          {
            standard: maybe(subset(['misuse', 'force-majeure', 'out-of-period'], 1)),
            extra: maybe(fc.array(word, { minLength: 1, maxLength: 3 })),
          },
          { requiredKeys: [] },
        ),
      ),
      quality: maybe(fc.record({ standards: fc.array(word, { minLength: 1, maxLength: 3 }) })),
      training: maybe(
        fc
          .record({
            n: fc.integer({ min: 1, max: 3 }),
            names: fc.array(word, { minLength: 3, maxLength: 3 }),
          })
          .chain(({ n, names }) => {
            const ids = Array.from({ length: n }, (_, i) => `aud-${i + 1}`);
            return fc.record(
              {
                audiences: fc.constant(ids.map((id, i) => ({ id, name: names[i]! }))),
                modules: fc.array(
                  fc.record(
                    {
                      title: word,
                      audiences: maybe(subset(ids, 1)),
                      hours: maybe(fc.integer({ min: 1, max: 8 })),
                    },
                    { requiredKeys: ['title'] },
                  ),
                  { maxLength: 3 },
                ),
                materials: maybe(subset(['user-manual', 'slides', 'videos'], 1)),
              },
              { requiredKeys: ['audiences', 'modules'] },
            );
          })
          .map((t) => ({ ...t, modules: t.modules.map((m, i) => ({ id: `mod-${i + 1}`, ...m })) })),
      ),
      extraCommitments: maybe(
        fc.array(
          fc.record(
            { title: word, body: multiline, tenderItem: maybe(word) },
            { requiredKeys: ['title', 'body'] },
          ),
          { minLength: 1, maxLength: 2 },
        ),
      ),
      signature: fc.record({ signer: word, date }),
    },
    { requiredKeys: ['bidder', 'project', 'signature'] },
  )
  .map((b) => {
    // Optional keys left out entirely (as a file would), never present with `undefined`.
    const clean = JSON.parse(
      JSON.stringify({ version: 2, tenderee: { name: '东江市人民医院' }, ...b }),
    ) as BidInput;
    return clean;
  })
  .filter((b) => bidSchema.safeParse(b).success);

/** The bid without empty sections (`exclusions: {}`): the form shows those as no section. */
const withoutBlank = <T>(v: T): T => {
  if (Array.isArray(v)) return v.map(withoutBlank) as T;
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => !blank(x))
      .map(([k, x]) => [k, withoutBlank(x)]),
  ) as T;
};

describe('form → bid → form', () => {
  it('reads every generated bid back from its own form, and saving it unchanged keeps every byte', () => {
    const model = formModel();
    fc.assert(
      fc.property(bidArb, (bid) => {
        const html = renderFormPage(structuredClone(bid));
        const body = asFormBody(formFields(html));
        expect(inputFromForm(model, body)).toEqual(withoutBlank(bid));
        const text = `# 注释保留\n${stringify(bid, { lineWidth: 0 })}`;
        const changes = formChanges(model, parse(text), body);
        expect(changes).toEqual([]);
        expect(editYaml(text, changes)).toBe(text);
      }),
      { numRuns: 60, seed: 20261122 },
    );
  });

  it('saves a bid that leaves the bidder and signer to the company profile without adding them', () => {
    const model = formModel();
    const text = [
      'version: 2',
      'tenderee: { name: 甲医院 }',
      'project: { name: 丙项目 }',
      'staff:',
      '  rosterFrom: [张伟, li-na]',
      'service: { standardChannels: true }',
      'signature:',
      '  date: 2026-11-20',
      '',
    ].join('\n');
    const body = asFormBody(formFields(renderFormPage(parse(text) as BidInput)));
    const changes = formChanges(model, parse(text), body);
    expect(changes).toEqual([]);
    expect(editYaml(text, changes)).toBe(text);
    // Typed in on purpose, the bidder's name is the bid's own (it wins over the profile).
    const typed = formChanges(model, parse(text), { ...body, 'bidder.name': '乙公司' });
    expect(typed).toEqual([{ kind: 'set', path: ['bidder'], value: { name: '乙公司' } }]);
  });

  it('never splits a free-text item at 、，or spaces: one item per line', () => {
    const model = formModel();
    const bid = {
      version: 2,
      tenderee: { name: '甲' },
      bidder: { name: '乙' },
      project: { name: '丙' },
      signature: { signer: '丁', date: '2026-11-20' },
      exclusions: { extra: ['因交通事故、车辆剐蹭，造成外场设备损坏的', '第三方 软件'] },
    } as BidInput;
    const body = asFormBody(formFields(renderFormPage(structuredClone(bid))));
    expect(body['exclusions.extra']).toBe('因交通事故、车辆剐蹭，造成外场设备损坏的\n第三方 软件');
    expect(inputFromForm(model, body)).toEqual(bid);
    const edited = { ...body, 'exclusions.extra': '甲、乙，丙\n\n  丁  ' };
    expect((inputFromForm(model, edited) as { exclusions: unknown }).exclusions).toEqual({
      extra: ['甲、乙，丙', '丁'],
    });
  });
});

describe('saving applies only what changed to the YAML document', () => {
  const text = [
    '# 投标参数（手写，含注释）',
    'version: 2',
    'tenderee:',
    '  name: 甲医院   # 全称',
    'bidder: { name: 乙公司 }',
    'project: { name: 丙项目 }',
    'afterWarranty:',
    '  annualFeeCap: 2000.50   # 元',
    'exclusions:',
    '  standard: [misuse, force-majeure]',
    'signature: { signer: 丁, date: 2026-11-20 }',
    'clauseVersions: { warranty-period: 3 }',
    'tender: { file: x-tender.yaml }',
    'staff: { fulltime: true }',
    '',
  ].join('\n');
  const model = formModel();

  it('changes one line for one edited value, keeping comments, flow style, unknown keys and links', () => {
    const before = parse(text) as Record<string, unknown>;
    const after = structuredClone(before) as { tenderee: { name: string } };
    after.tenderee.name = '甲市人民医院';
    const out = editYaml(text, changesOf(model, before, after));
    const diff = out.split('\n').filter((l, i) => l !== text.split('\n')[i]);
    // The one changed line: the new value, its comment kept.
    expect(diff).toEqual(['  name: 甲市人民医院 # 全称']);
    expect(parse(out)).toEqual(after);
  });

  it('adds, removes and reorders list items through the document, and leaves what the form does not know', () => {
    const before = parse(text) as Record<string, unknown>;
    const after = applyChanges(before, [
      {
        kind: 'set',
        path: ['exclusions', 'standard'],
        value: ['force-majeure', 'misuse', 'non-standard'],
      },
      { kind: 'delete', path: ['afterWarranty'] },
      { kind: 'set', path: ['staff', 'committedCount'], value: 3 },
    ]);
    const out = editYaml(text, changesOf(model, before, after));
    expect(out).toContain('# 投标参数（手写，含注释）');
    expect(out).toContain('  standard: [force-majeure, misuse, non-standard]');
    expect(out).toContain('clauseVersions: { warranty-period: 3 }');
    expect(out).toContain('tender: { file: x-tender.yaml }');
    expect(out).not.toContain('annualFeeCap');
    // The misspelt key stays for the schema to report; the form's own key is added beside it.
    expect(parse(out)).toEqual({ ...after, staff: { fulltime: true, committedCount: 3 } });
  });

  it('applies changes through own properties only: prototype names are plain keys, nothing leaks', () => {
    const before = { staff: { committedCount: 2 }, bidder: { name: '乙' } };
    const after = applyChanges(before, [
      { kind: 'set', path: ['constructor', 'keys'], value: 'x' },
      { kind: 'set', path: ['__proto__', 'polluted'], value: 'yes' },
      { kind: 'set', path: ['staff', 'toString'], value: 3 },
      // A delete under a parent that is not there removes nothing (not the key one level up).
      { kind: 'delete', path: ['service', 'hours', 'bidder'] },
      { kind: 'delete', path: ['bidder', 'hasOwnProperty'] },
    ]) as Record<string, unknown>;
    expect(Object.keys(after)).toEqual(['staff', 'bidder', 'constructor', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(after, '__proto__')?.value).toEqual({ polluted: 'yes' });
    expect(Object.getPrototypeOf(after)).toBe(Object.prototype);
    expect(after.staff).toEqual({ committedCount: 2, toString: 3 });
    expect(after.bidder).toEqual({ name: '乙' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof Object.keys).toBe('function');
    expect(before).toEqual({ staff: { committedCount: 2 }, bidder: { name: '乙' } });
  });

  it('keeps money exactly as written when other fields change', () => {
    const before = parse(text) as { afterWarranty: { annualFeeCap: number } };
    expect(before.afterWarranty.annualFeeCap).toBe(2000.5);
    const after = structuredClone(before) as Record<string, unknown>;
    (after.bidder as { name: string }).name = '乙股份公司';
    const out = editYaml(text, changesOf(model, before, after));
    expect(out).toContain('  annualFeeCap: 2000.50   # 元');
  });
});

describe('the form model in steps and words', () => {
  it('puts every top-level field of the schema in exactly one step', () => {
    const keys = formModel().fields.map((f) => f.key);
    const placed = steps().flatMap((s) => s.sections);
    expect([...placed].sort()).toEqual([...keys].sort());
    expect(steps().map((s) => s.title)).toEqual([
      '投标信息',
      '质保',
      '人员',
      '服务与响应',
      '培训',
      '其他',
      '检查与下载',
    ]);
  });

  it('names a field path in Chinese labels, never in YAML keys', () => {
    expect(pathLabel('responseTiers[0].name')).toBe('故障响应等级 第 1 项 · 故障等级名称');
    expect(pathLabel('responseTiers[1].milestones[2].within')).toBe(
      '故障响应等级 第 2 项 · 处理环节 第 3 项 · 时限',
    );
    expect(pathLabel('warranty.components[0].period')).toBe('质保期 第 1 项 · 质保期');
    expect(pathLabel('tender.acknowledged[0].reason')).toBe(
      '招标要求 · 已确认的负偏离 第 1 项 · 负偏离说明',
    );
  });
});
