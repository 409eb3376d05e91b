// Property-based tests: whatever the schema accepts renders everywhere, deterministically, with
// every user string shown literally; numerals round-trip.
import fc from 'fast-check';
import nzh from 'nzh';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../src/build.js';
import { TenderKitError } from '../src/diagnostics/diagnostic.js';
import { cnLower, cnUpper, rmbUpper } from '../src/format/cn-number.js';
import { blockLines } from '../src/ir/text.js';
import type { BidInput } from '../src/schema/bid.js';
import { validateInput } from '../src/server/form-values.js';
import { docxPart, docxWriter } from '../src/writers/docx/index.js';
import { htmlWriter } from '../src/writers/html/index.js';
import { pdfWriter } from '../src/writers/pdf/index.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { exampleFile } from './helpers.js';

/** The richest example (three documents, every section) as plain input, without its tender file. */
const base = (): BidInput => {
  const b = parse(readFileSync(exampleFile('highway-monitoring'), 'utf8')) as BidInput;
  delete b.tender;
  return b;
};

/** Text a user might type: Chinese, Latin, digits, punctuation, Markdown, template and XML syntax. */
const userText = (maxParts = 24) =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '医',
          '院',
          '项',
          '目',
          '服',
          '务',
          '承',
          '诺',
          '（',
          '）',
          '：',
          '、',
          '—',
          '·',
          '★',
          '×',
        ),
        fc.constantFrom(
          '{{',
          '}}',
          '{%',
          '%}',
          '**',
          '|',
          '#',
          '- ',
          '1. ',
          '<',
          '>',
          '&',
          '"',
          "'",
          '\\',
          '`',
          '[',
          ']',
          '(',
          ')',
        ),
        fc.constantFrom('a', 'Z', '0', '9', ' ', '-', '.', '@', 'é', 'ß', '😀', '𠀀'),
      ),
      { minLength: 1, maxLength: maxParts },
    )
    .map((parts) => parts.join('').trim())
    .filter((s) => s.length > 0);
/** Short enough for names, areas and labels (≤ 30 characters). */
const shortText = userText(12);

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/**
 * A length of `minutes` in any form a bid may write it: 分钟 / 小时 / 日 / 天 / 周 / 工作日 shorthand,
 * Chinese numerals, or `{ amount, unit }`. A working day is written only for whole multiples of 8
 * hours, so it is never certainly shorter than the exact length it stands in for.
 */
function lengthOf(minutes: number): fc.Arbitrary<string | { amount: number; unit: string }> {
  const forms: fc.Arbitrary<string | { amount: number; unit: string }>[] = [
    fc.constant(`${minutes}分钟`),
    fc.constant({ amount: minutes, unit: 'minute' }),
  ];
  const per = (n: number) => minutes / n;
  const whole2 = (x: number) => Number.isInteger(x * 2);
  if (whole2(per(60))) {
    forms.push(
      fc.constant(`${per(60)}小时`),
      fc.constant({ amount: per(60), unit: 'hour' }),
      fc.constant({ amount: per(60), unit: '小时' }),
    );
    if (per(60) === 2) forms.push(fc.constant('两小时'), fc.constant('2个小时'));
    if (per(60) === 0.5) forms.push(fc.constant('半小时'));
  }
  if (whole2(per(1440))) forms.push(fc.constant(`${per(1440)}日`), fc.constant(`${per(1440)}天`));
  if (Number.isInteger(per(10080)))
    forms.push(
      fc.constant(`${per(10080)}周`),
      fc.constant(per(10080) === 1 ? '一周' : `${per(10080)}个星期`),
    );
  if (Number.isInteger(per(480))) forms.push(fc.constant(`${per(480)}个工作日`));
  return fc.oneof(...forms);
}

/** A limit standing for `minutes`: one length, a split workday/holiday limit, or 协商确定. */
const limitOf = (minutes: number) =>
  fc.oneof(
    { weight: 6, arbitrary: lengthOf(minutes) },
    {
      weight: 1,
      arbitrary: fc.record({ workday: lengthOf(minutes / 2), holiday: lengthOf(minutes) }),
    },
    { weight: 1, arbitrary: fc.constantFrom('协商确定', '双方协商确定') },
  );

/** Stage lengths at least double within a tier and grow with the tier's rank, so the rules hold. */
const STAGES = [
  ['respond', 30],
  ['onsite', 120],
  ['plan', 480],
  ['restore', 2400],
  ['resolve', 10080],
] as const;

const milestone = (kind: string, minutes: number, first: boolean) =>
  fc
    .record(
      {
        kind: fc.constant(kind),
        limit: fc.oneof(
          first ? fc.constant<unknown>('立即') : limitOf(minutes),
          limitOf(minutes),
          fc.tuple(shortText, shortText, lengthOf(minutes / 2), lengthOf(minutes)),
        ),
        // Clock starts that make sense: only later steps count from arrival or the previous step.
        from: maybe(
          first || ['respond', 'remote', 'onsite'].includes(kind)
            ? fc.constant('report')
            : fc.constantFrom('report', 'arrival', 'previous'),
        ),
        performer: maybe(shortText),
        fallback: maybe(
          fc.oneof(
            fc.record({ kind: fc.constant('plan'), within: lengthOf(minutes / 4) }),
            fc.record({
              kind: fc.constant('custom'),
              label: shortText,
              within: lengthOf(minutes / 4),
            }),
          ),
        ),
      },
      { requiredKeys: ['kind', 'limit'] },
    )
    .map(({ limit, ...m }) =>
      Array.isArray(limit)
        ? {
            ...m,
            cases: [
              { when: limit[0], within: limit[2] },
              { when: `${limit[1]}（另）`, within: limit[3] },
            ],
          }
        : { ...m, within: limit },
    );

const tier = (i: number) =>
  fc.oneof(
    {
      weight: 1,
      arbitrary: fc.record({ name: shortText, negotiable: fc.constant(true as const) }),
    },
    {
      weight: 6,
      arbitrary: fc
        .record({
          name: shortText,
          definition: maybe(userText()),
          stages: fc.subarray([...STAGES], { minLength: 1 }),
          report: fc.boolean(),
          custom: maybe(shortText),
        })
        .chain(({ stages, report, custom, ...t }) =>
          fc
            .tuple(
              ...stages.map(([kind, m]) =>
                milestone(kind, m * (i + 1), i === 0 && kind === 'respond'),
              ),
            )
            .map((ms) => ({
              ...t,
              milestones: [
                ...ms,
                ...(custom ? [{ kind: 'custom', label: custom, within: `${(i + 1) * 30}日` }] : []),
                ...(report ? [{ kind: 'report' }] : []),
              ],
            })),
        ),
    },
  );

const period = fc.oneof(
  fc.integer({ min: 1, max: 240 }).map((n) => `${n}个月`),
  fc.integer({ min: 1, max: 20 }).map((n) => `${n}年`),
  fc.integer({ min: 1, max: 20 }).map((n) => ({ amount: n, unit: 'year' })),
  fc.constantFrom('两年', '十二个月', '半年', '终身', '1.5年'),
);
const frequency = fc.constantFrom(
  '每季度',
  '每月',
  '每3个月',
  '每年4次',
  '每半年',
  '每年',
  '每周',
  '每季度一次',
  '一年不少于4次',
  '不限次数',
);
const percentValue = fc.oneof(
  fc.constantFrom('95%', '99.5%', '90', '100%', '99.99%'),
  fc.integer({ min: 1, max: 100 }),
);
const serviceHours = fc.constantFrom(
  '7x24',
  '7×24',
  '工作日 8:00-18:00',
  '每天 8:00-24:00',
  '工作日每天8小时',
  '法定工作日 8:30-17:30',
);

/** An extra commitment: the user's Markdown, with template syntax that must stay literal. */
const extraCommitment = fc
  .record(
    { title: shortText, lead: userText(), item: userText(), tenderItem: maybe(shortText) },
    { requiredKeys: ['title', 'lead', 'item'] },
  )
  .map(({ lead, item, ...x }) => ({
    ...x,
    body: `${lead}\n\n承诺{{ 7*7 }}号{% raw %}，**加粗承诺**\n\n- ${item}\n- 第二项 {{ bidder.name }}\n`,
  }));

const bidArb = fc
  .record({
    tenderee: userText(),
    bidder: userText(),
    project: userText(),
    components: fc.array(
      fc.record({ name: shortText, period, onsite: maybe(fc.constantFrom('7日', '1个月')) }),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    committed: maybe(fc.integer({ min: 1, max: 4 })),
    hours: maybe(serviceHours),
    answerWithin: lengthOf(30),
    closure: fc.record({ percent: percentValue, within: lengthOf(10080) }),
    availability: fc.array(fc.record({ metric: shortText, percent: percentValue }), {
      maxLength: 2,
    }),
    inspections: maybe(frequency),
    visits: fc.tuple(frequency, frequency),
    report: fc.record({ name: shortText, every: frequency }),
    upgrades: maybe(period),
    tiers: fc
      .integer({ min: 1, max: 4 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => tier(i)))),
    fee: maybe(fc.integer({ min: 0, max: 99_999_999 })),
    turnaround: maybe(lengthOf(9600)),
    spares: maybe(period),
    drills: maybe(frequency),
    extraExclusion: maybe(userText()),
    extra: fc.array(extraCommitment, { maxLength: 3 }),
  })
  .map((r) => {
    const b = base();
    b.tenderee!.name = r.tenderee;
    b.bidder!.name = r.bidder;
    b.project!.name = r.project;
    b.warranty = { ...b.warranty!, components: r.components };
    b.staff = { committedCount: r.committed, fullTime: true, roster: b.staff!.roster };
    b.service = {
      ...b.service!,
      hours: r.hours,
      channels: [
        { kind: 'hotline', detail: '0731-8890-5566', answerWithin: r.answerWithin },
        { kind: 'onsite' },
      ],
      escalation: ['hotline', 'onsite'],
      consultationClosure: r.closure,
      availability: r.availability.length ? r.availability : undefined,
      inspections: r.inspections,
      visitsFirstYear: r.visits[0],
      visitsLater: r.visits[1],
      reports: [r.report],
      freeUpgrades: r.upgrades ? { period: r.upgrades } : undefined,
    };
    b.responseTiers = r.tiers as BidInput['responseTiers'];
    b.afterWarranty = {
      ...b.afterWarranty,
      annualFeeCap: r.fee === undefined ? undefined : (r.fee / 100).toFixed(2),
      repairTurnaround: r.turnaround,
    };
    b.spares = r.spares ? { ...b.spares, period: r.spares } : undefined;
    b.emergency = { ...b.emergency!, drills: r.drills };
    b.exclusions = { ...b.exclusions, extra: r.extraExclusion ? [r.extraExclusion] : undefined };
    b.extraCommitments = r.extra.length ? r.extra : undefined;
    const strings = [
      r.tenderee,
      r.bidder,
      r.project,
      ...r.components.map((c) => c.name),
      ...(r.tiers as { name: string }[]).map((t) => t.name),
      ...r.extra.map((x) => x.title),
    ];
    return { input: b, strings, extras: r.extra.length };
  });

/** The only way an accepted bid may fail: a TenderKit error naming `name` and nothing else. */
function expectOnly(e: unknown, name: string) {
  expect(e).toBeInstanceOf(TenderKitError);
  expect([...new Set((e as TenderKitError).diagnostics.map((d) => d.name))]).toEqual([name]);
}

/** Validates; a bid the schema or rules refuse is not this property's business. */
function accepted(input: BidInput) {
  const v = validateInput(input);
  return v.params;
}

/** Parses each XML text with a strict parser (Python's minidom); throws on one not well-formed. */
function strictlyParsed(xmls: readonly string[]): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-prop-'));
  xmls.forEach((x, i) => writeFileSync(path.join(dir, `${i}.xml`), x));
  execFileSync('python3', [
    '-c',
    'import sys,glob,xml.dom.minidom as m\nfor f in glob.glob(sys.argv[1]+"/*.xml"): m.parse(f)',
    dir,
  ]);
}

describe('any bid the schema accepts', () => {
  it('renders in every format, or fails with a clear TenderKit error (placeholder left, missing glyph)', async () => {
    let rendered = 0;
    const xmls: string[] = []; // every document's word/document.xml, for the strict parser below
    await fc.assert(
      fc.asyncProperty(bidArb, async ({ input, strings, extras }) => {
        const params = accepted(input);
        fc.pre(params !== undefined);
        let docs;
        try {
          docs = renderAll(params!);
        } catch (e) {
          expectOnly(e, 'PlaceholderLeft'); // a user typed ×× or ___
          return;
        }
        rendered++;
        const lines = docs.flatMap((d) => blockLines(d.children)).join('\n');
        for (const s of strings) expect(lines).toContain(s); // shown literally, never evaluated
        // Extra commitments are Markdown, never a template: bold is parsed, {{ … }} stays as written.
        const marks = lines.match(/承诺\{\{ 7\*7 \}\}号\{% raw %\}，加粗承诺/g) ?? [];
        expect(marks).toHaveLength(extras);
        expect(lines.match(/第二项 \{\{ bidder\.name \}\}/g) ?? []).toHaveLength(extras);
        expect(lines).not.toMatch(/承诺49号|\*\*加粗承诺\*\*/);
        const letter = docs.find((d) => d.meta.id === 'commitment-letter')!;
        const own = letter.children.filter(
          (b) => b.type === 'clause' && b.id === 'extra-commitment',
        );
        expect(own).toHaveLength(extras);
        for (const c of own)
          expect(JSON.stringify(c)).toContain(
            '{"type":"strong","children":[{"type":"text","value":"加粗承诺"}]}',
          );
        for (const d of docs) {
          const docx = await docxWriter.write(d);
          const xml = docxPart(docx, 'word/document.xml');
          expect(xml.startsWith('<?xml')).toBe(true);
          xmls.push(xml);
          const html = (await htmlWriter.write(d)).toString('utf8');
          expect(html).not.toMatch(/<script|<b>|>49</);
          try {
            await pdfWriter.write(d);
          } catch (e) {
            expectOnly(e, 'MissingGlyph'); // a character no font can draw
          }
        }
      }),
      { numRuns: 25, seed: 20261122 },
    );
    expect(rendered).toBeGreaterThanOrEqual(10); // the property held for bids that did render
    strictlyParsed(xmls); // all four documents of these bids are well-formed XML too
  }, 180_000);

  it('keeps the .docx well-formed XML whatever the characters (checked by a strict parser)', async () => {
    // 30 bids of its own (a .docx write is the costly part of each run); the 25 bids of the
    // property above are strictly parsed there too, all four documents each.
    const xmls: string[] = [];
    await fc.assert(
      fc.asyncProperty(bidArb, async ({ input }) => {
        const params = accepted(input);
        fc.pre(params !== undefined);
        let docs;
        try {
          docs = renderAll({ ...params!, documents: ['commitment-letter', 'service-plan'] });
        } catch (e) {
          expectOnly(e, 'PlaceholderLeft');
          return;
        }
        for (const d of docs) xmls.push(docxPart(await docxWriter.write(d), 'word/document.xml'));
      }),
      { numRuns: 30, seed: 7 },
    );
    strictlyParsed(xmls);
    expect(xmls.length).toBeGreaterThan(20);
  }, 180_000);

  it('is deterministic: the same bid twice gives the same .docx and PDF bytes, figures included', async () => {
    await fc.assert(
      fc.asyncProperty(bidArb, async ({ input }) => {
        const params = accepted(input);
        fc.pre(params !== undefined);
        const documents = ['commitment-letter', 'service-plan'] as const;
        let a, b;
        try {
          a = renderAll({ ...params!, documents: [...documents] });
          b = renderAll(structuredClone({ ...params!, documents: [...documents] }));
        } catch (e) {
          expectOnly(e, 'PlaceholderLeft');
          return;
        }
        for (const [i, doc] of a.entries()) {
          expect((await docxWriter.write(doc)).equals(await docxWriter.write(b[i]!))).toBe(true);
          const pa = await pdfWriter.write(doc).catch(() => null);
          const pb = await pdfWriter.write(b[i]!).catch(() => null);
          expect(pa === null ? pb === null : pb !== null && pa.equals(pb)).toBe(true);
        }
      }),
      { numRuns: 10, seed: 42 },
    );
  }, 180_000);

  it('generates bids the schema and the rules accept, in every duration form', () => {
    // Guards the generator: most bids must pass validation, or the properties above test little.
    const samples = fc.sample(bidArb, { numRuns: 200, seed: 1 });
    const ok = samples.map((s) => accepted(s.input)).filter((p) => p !== undefined);
    expect(ok.length).toBeGreaterThan(150);
    const kinds = new Set(
      ok.flatMap((p) =>
        (p.responseTiers ?? []).flatMap((t) =>
          (t.milestones ?? []).flatMap((m) => [
            ...(m.within ? [m.within.kind] : []),
            ...(m.cases ? ['cases'] : []),
            ...(m.fallback ? ['fallback'] : []),
          ]),
        ),
      ),
    );
    expect([...kinds].sort()).toEqual(
      ['amount', 'cases', 'fallback', 'immediate', 'negotiable', 'split'].sort(),
    );
    const units = new Set(
      ok.flatMap((p) =>
        (p.responseTiers ?? []).flatMap((t) =>
          (t.milestones ?? []).flatMap((m) => (m.within?.kind === 'amount' ? [m.within.unit] : [])),
        ),
      ),
    );
    expect([...units].sort()).toEqual(['day', 'hour', 'minute', 'week', 'workday']);
    expect(ok.some((p) => p.service?.inspections?.kind === 'unlimited')).toBe(true);
    expect(ok.some((p) => p.warranty?.components.some((c) => c.period.kind === 'lifetime'))).toBe(
      true,
    );
    expect(ok.some((p) => (p.extraCommitments?.length ?? 0) > 1)).toBe(true);
  });
});

describe('Chinese numerals and amounts round-trip', () => {
  it('cnUpper and cnLower decode back to the number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), (n) => {
        expect(nzh.cn.decodeB(cnUpper(n))).toBe(n);
        expect(nzh.cn.decodeS(cnLower(n))).toBe(n);
      }),
      { numRuns: 500 },
    );
  });

  it('rmbUpper writes every fen amount so that it reads back exactly', () => {
    const DIGIT = '零壹贰叁肆伍陆柒捌玖';
    const decode = (s: string): number => {
      const m = /^人民币(?:(.+?)元)?(?:(.)角)?零?(?:(.)分)?(整)?$/.exec(s); // 元零壹分 when 角 is zero
      if (!m) throw new Error(`unexpected amount form ${s}`);
      const yuan = m[1] ? Number(nzh.cn.decodeB(m[1])) : 0;
      const jiao = m[2] ? DIGIT.indexOf(m[2].replace('零', '')) : 0;
      const fen = m[3] ? DIGIT.indexOf(m[3]) : 0;
      return yuan * 100 + Math.max(jiao, 0) * 10 + fen;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (fen) => {
        const s = rmbUpper(fen);
        expect(decode(s)).toBe(fen);
        expect(s.endsWith('整')).toBe(fen % 100 === 0);
      }),
      { numRuns: 500 },
    );
  });
});
