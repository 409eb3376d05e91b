// The editor schemas against the real CLI: every file the CLI accepts passes them, every
// known-invalid value of each field type is refused by both, and `tenderkit schema --for …` prints
// them. (Unit-level properties are in src/schema/json-schema.test.ts.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { main } from '../src/cli/main.js';
import { TenderKitError } from '../src/diagnostics/diagnostic.js';
import { prepareBid } from '../src/prepare.js';
import {
  jsonSchemaFor,
  schemaFileName,
  SCHEMA_KINDS,
  type SchemaKind,
} from '../src/schema/json-schema.js';
import { ROOT } from './helpers.js';

const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ??
  addFormatsPlugin) as (ajv: Ajv2020) => Ajv2020;

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validators = Object.fromEntries(
  SCHEMA_KINDS.map((k) => [k, ajv.compile(jsonSchemaFor(k))]),
) as Record<SchemaKind, ValidateFunction>;

/** YAML as an editor's language server reads it: plain YAML 1.2, core schema. */
const readYaml = (file: string): unknown =>
  parse(readFileSync(file, 'utf8'), { version: '1.2', schema: 'core' });

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'tk-editor-schema-'));
const BIN = path.join(ROOT, 'bin', 'tenderkit.js');

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

interface LintJson {
  ok: boolean;
  diagnostics: { severity: string; path: string | null; file: string | null; message: string }[];
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('.expect.yaml'))
    .map((f) => path.join(dir, f))
    .sort();

const isTender = (data: unknown) =>
  typeof data === 'object' && data !== null && 'requirements' in data;

const explain = (v: ValidateFunction) => ajv.errorsText(v.errors, { separator: '\n' });

describe('every file the CLI accepts passes the editor schemas', () => {
  const files = [
    ...yamlFiles(path.join(ROOT, 'examples')),
    ...yamlFiles(path.join(ROOT, 'test', 'seeds')),
    ...yamlFiles(path.join(ROOT, 'test', 'fixtures')),
  ];

  it('examples, seeds and fixtures: CLI accepts ⇒ Ajv accepts; the examples and seeds are all accepted', () => {
    const accepted: string[] = [];
    for (const file of files) {
      const data = readYaml(file);
      const rel = path.relative(ROOT, file);
      if (isTender(data)) {
        // A tender file is checked through the bid that names it (below); on its own, Ajv.
        expect(validators.tender(data), `${rel}\n${explain(validators.tender)}`).toBe(true);
        continue;
      }
      // What `lint` and `build` check first: the YAML, the schema, the rules, the tender file and
      // the clause pins. (Rendering only refuses more; skipping it keeps this test fast and the
      // property at least as strong.)
      let refused = '';
      try {
        prepareBid(file, () => {});
      } catch (e) {
        if (!(e instanceof TenderKitError)) throw e;
        refused = e.diagnostics.map((d) => d.message).join('\n');
      }
      if (!refused) {
        accepted.push(rel);
        expect(validators.bid(data), `${rel}\n${explain(validators.bid)}`).toBe(true);
      } else {
        // Only the first-format fixtures (kept for `migrate`) may be refused; Ajv refuses them too.
        expect(rel, refused).toMatch(/^test\/fixtures\/v1\//);
        expect(validators.bid(data)).toBe(false);
      }
    }
    const expected = files
      .map((f) => path.relative(ROOT, f))
      .filter((f) => !f.startsWith('test/fixtures/') && !/tender\.yaml$/.test(f));
    expect(accepted).toEqual(expect.arrayContaining(expected));
    expect(expected.length).toBeGreaterThanOrEqual(15);
  });
});

// ---------------------------------------------------------------- known-invalid values

const highway = () => {
  const bid = readYaml(path.join(ROOT, 'examples', 'highway-monitoring.yaml')) as Record<
    string,
    unknown
  >;
  delete bid.tender;
  // A penalty with an amount, for the money case.
  (bid.penalties as Record<string, unknown>).items = [
    { condition: '未按时到场', measure: '每次扣减维护费', amount: '1,000.50' },
  ];
  return bid;
};

type Seg = string | number;

function setIn(obj: unknown, at: readonly Seg[], value: unknown): void {
  let cur = obj as Record<Seg, unknown>;
  for (const seg of at.slice(0, -1)) cur = cur[seg] as Record<Seg, unknown>;
  cur[at[at.length - 1]!] = value;
}

const fmt = (at: readonly Seg[]) =>
  at.reduce<string>(
    (s, seg) => (typeof seg === 'number' ? `${s}[${seg}]` : s ? `${s}.${seg}` : seg),
    '',
  );
const pointer = (at: readonly Seg[]) => at.map((s) => `/${s}`).join('');

interface Case {
  what: string;
  at: Seg[];
  value: unknown;
  /** Where Ajv reports it, when that is the enclosing object (an unknown key). */
  ajvAt?: Seg[];
}

/** One invalid value per field type, each at its own field so one file can hold them all. */
const BID_CASES: Case[] = [
  { what: 'text where a number is', at: ['staff', 'committedCount'], value: '十二' },
  { what: 'number where text is', at: ['project', 'name'], value: 12345 },
  { what: 'negative count', at: ['staff', 'localEngineers'], value: -1 },
  { what: 'fractional count', at: ['training', 'traineeCount'], value: 2.5 },
  { what: 'hours off the half-hour grid', at: ['training', 'modules', 0, 'hours'], value: 1.25 },
  { what: 'zero hours', at: ['training', 'modules', 1, 'hours'], value: 0 },
  { what: 'unknown enum value', at: ['warranty', 'start'], value: 'signing' },
  {
    what: 'unknown milestone kind',
    at: ['responseTiers', 1, 'milestones', 0, 'kind'],
    value: 'arrive',
  },
  { what: 'unknown channel kind', at: ['service', 'escalation', 0], value: 'wechat' },
  {
    what: 'unknown property',
    at: ['bidder', 'fax'],
    value: '0731-1234567',
    ajvAt: ['bidder'],
  },
  { what: 'unknown top-level property', at: ['warrantee'], value: { months: 12 }, ajvAt: [] },
  { what: 'impossible date', at: ['signature', 'date'], value: '2026-02-30' },
  { what: 'date with slashes', at: ['project', 'publishedOn'], value: '2026/09/01' },
  {
    what: 'duration in English',
    at: ['responseTiers', 1, 'milestones', 1, 'within'],
    value: '2 hours',
  },
  { what: 'duration without unit', at: ['service', 'channels', 0, 'answerWithin'], value: 30 },
  {
    what: 'duration as a range',
    at: ['responseTiers', 1, 'milestones', 2, 'within'],
    value: '4-8小时',
  },
  { what: 'period in English', at: ['warranty', 'components', 0, 'period'], value: '2 years' },
  {
    what: 'duration object with an unknown unit',
    at: ['responseTiers', 2, 'milestones', 0, 'within'],
    value: { amount: 2, unit: 'hours' },
  },
  {
    what: 'split duration with a third key',
    at: ['responseTiers', 2, 'milestones', 1, 'within'],
    value: { workday: '24小时', holiday: '48小时', night: '2小时' },
  },
  { what: 'frequency in English', at: ['service', 'inspections'], value: 'quarterly' },
  { what: 'frequency without 每', at: ['service', 'visitsLater'], value: '季度' },
  { what: 'percent above 100', at: ['service', 'availability', 0, 'percent'], value: '120%' },
  { what: 'negative percent', at: ['service', 'consultationClosure', 'percent'], value: -5 },
  { what: 'service hours as 24/7', at: ['service', 'hours'], value: '24/7' },
  {
    what: 'service hours without days',
    at: ['service', 'channels', 1, 'hours'],
    value: '8:00-18:00',
  },
  { what: 'negative money', at: ['afterWarranty', 'annualFeeCap'], value: '-5000' },
  { what: 'money with three decimals', at: ['penalties', 'items', 0, 'amount'], value: '100.005' },
  { what: 'yes/no text where a boolean is', at: ['staff', 'fullTime'], value: '是' },
  { what: 'letters in a phone number', at: ['bidder', 'hotline'], value: 'call us' },
  { what: 'not an e-mail address', at: ['bidder', 'email'], value: 'service-at-example' },
  {
    what: 'id with capitals and spaces',
    at: ['training', 'audiences', 0, 'id'],
    value: 'Center Staff',
  },
  { what: 'text too long', at: ['tenderee', 'name'], value: '某'.repeat(201) },
  { what: 'line break in single-line text', at: ['bidder', 'address'], value: '郴州市\n北湖区' },
  { what: 'control character in text', at: ['spares', 'stock'], value: '备件库\u0007' },
  { what: 'empty list where one is required', at: ['documents'], value: [] },
  {
    what: 'list where an object is',
    at: ['afterWarranty', 'milestones'],
    value: { kind: 'respond' },
  },
];

const TENDER_CASES: Case[] = [
  { what: 'unknown comparator', at: ['requirements', 0, 'condition', 'op'], value: 'gte' },
  { what: 'text where a boolean is', at: ['requirements', 1, 'star'], value: '是' },
  {
    what: 'unknown property',
    at: ['requirements', 2, 'note'],
    value: '摘录',
    ajvAt: ['requirements', 2],
  },
  {
    what: 'malformed field path',
    at: ['requirements', 3, 'condition', 'field'],
    value: 'staff..localEngineers',
  },
  {
    what: 'list where a value is',
    at: ['requirements', 4, 'condition', 'value'],
    value: [3, '年'],
  },
  { what: 'empty item number', at: ['requirements', 5, 'item'], value: '' },
  { what: 'unknown aggregate', at: ['requirements', 5, 'condition', 'aggregate'], value: 'avg' },
  { what: 'unit too long', at: ['requirements', 6, 'condition', 'unit'], value: '个'.repeat(11) },
  { what: 'number where text is', at: ['title'], value: 2026 },
];

describe('known-invalid values are refused by both Ajv and the CLI', () => {
  it('tender: each value alone fails Ajv at its field; all together fail `tenderkit lint`', () => {
    const base = () => readYaml(path.join(ROOT, 'examples', 'highway-tender.yaml'));
    expect(validators.tender(base()), explain(validators.tender)).toBe(true);
    for (const c of TENDER_CASES) {
      const t = base();
      setIn(t, c.at, c.value);
      expect(validators.tender(t), `Ajv accepted ${c.what}`).toBe(false);
      const where = pointer(c.ajvAt ?? c.at);
      expect(
        (validators.tender.errors as ErrorObject[]).some(
          (e) => e.instancePath === where || e.instancePath.startsWith(`${where}/`),
        ),
        `${c.what}: ${explain(validators.tender)}`,
      ).toBe(true);
    }
    const dir = tmp();
    const tender = base();
    for (const c of TENDER_CASES) setIn(tender, c.at, c.value);
    writeFileSync(path.join(dir, 'tender.yaml'), stringify(tender));
    writeFileSync(
      path.join(dir, 'bid.yaml'),
      stringify({ ...highway(), tender: { file: 'tender.yaml' } }),
    );
    const r = spawnSync(
      process.execPath,
      [BIN, 'lint', path.join(dir, 'bid.yaml'), '--format', 'json'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(1);
    const errors = (JSON.parse(r.stdout) as LintJson).diagnostics.filter(
      (d) => d.severity === 'error',
    );
    expect(errors.every((d) => d.file?.endsWith('tender.yaml'))).toBe(true);
    for (const c of TENDER_CASES)
      expect(
        errors.map((d) => d.path),
        `the CLI accepted ${c.what}`,
      ).toContain(fmt(c.at));
  });

  it('bid: each value alone fails Ajv at its field; all together fail `tenderkit lint`', () => {
    expect(validators.bid(highway()), explain(validators.bid)).toBe(true);
    for (const c of BID_CASES) {
      const bid = highway();
      setIn(bid, c.at, c.value);
      expect(validators.bid(bid), `Ajv accepted ${c.what}`).toBe(false);
      const where = pointer(c.ajvAt ?? c.at);
      const errors = validators.bid.errors as ErrorObject[];
      expect(
        errors.some((e) => e.instancePath === where || e.instancePath.startsWith(`${where}/`)),
        `${c.what}: ${explain(validators.bid)}`,
      ).toBe(true);
    }

    // The CLI, as a process, on one file holding every invalid value.
    const dir = tmp();
    const file = path.join(dir, 'bid.yaml');
    const bid = highway();
    for (const c of BID_CASES) setIn(bid, c.at, c.value);
    writeFileSync(file, stringify(bid));
    const r = spawnSync(process.execPath, [BIN, 'lint', file, '--format', 'json'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as LintJson;
    const paths = report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.path);
    for (const c of BID_CASES) expect(paths, `the CLI accepted ${c.what}`).toContain(fmt(c.at));
  });
});

// ---------------------------------------------------------------- a workspace made by `init`

const COMPANY_CASES: Case[] = [
  { what: 'letters in a phone number', at: ['bidder', 'hotline'], value: 'call us' },
  { what: 'not an e-mail address', at: ['bidder', 'email'], value: 'nope' },
  { what: 'unknown property', at: ['bidder', 'fax'], value: '010-1234', ajvAt: ['bidder'] },
  { what: 'empty signer', at: ['signature', 'signer'], value: '   ' },
  { what: 'unknown channel kind', at: ['service', 'channels', 0, 'kind'], value: 'wechat' },
  {
    what: 'duration in English',
    at: ['service', 'channels', 1, 'answerWithin'],
    value: '24 hours',
  },
  { what: 'service hours as 24/7', at: ['service', 'channels', 0, 'hours'], value: '24/7' },
  { what: 'id with capitals and spaces', at: ['roster', 0, 'id'], value: 'Zhang Wei' },
  { what: 'number where text is', at: ['roster', 1, 'phone'], value: 13800000002 },
  { what: 'line break in single-line text', at: ['roster', 2, 'role'], value: '运维\n工程师' },
];

const WORKSPACE_CASES: Case[] = [
  { what: 'unknown format version', at: ['version'], value: 3 },
  { what: 'unknown property', at: ['colour'], value: 'blue', ajvAt: [] },
  { what: 'path out of the workspace', at: ['company'], value: '../company.yaml' },
  { what: 'text too long', at: ['name'], value: '某'.repeat(81) },
  { what: 'boolean where a spacing is', at: ['style', 'lineSpacing'], value: true },
  { what: 'list where margins are', at: ['style', 'margins'], value: ['25mm'] },
  {
    what: 'line break in a font name',
    at: ['style', 'fonts', 'body', 'chinese'],
    value: '仿宋\n楷体',
  },
  {
    what: 'unknown size key',
    at: ['style', 'sizes', 'caption'],
    value: '小五',
    ajvAt: ['style', 'sizes'],
  },
  { what: 'footer too long', at: ['style', 'footer'], value: '页'.repeat(101) },
];

describe('a workspace made by `tenderkit init`', () => {
  let ws = '';
  const files: { rel: string; kind: SchemaKind }[] = [];
  const kindOf = (rel: string, data: unknown): SchemaKind | undefined =>
    rel === 'tenderkit.yaml'
      ? 'workspace'
      : rel === 'company.yaml'
        ? 'company'
        : rel.startsWith('bids/')
          ? isTender(data)
            ? 'tender'
            : 'bid'
          : undefined;

  beforeAll(() => {
    ws = path.join(tmp(), 'ws');
    const r = spawnSync(process.execPath, [BIN, 'init', ws], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const rel of readdirSync(ws, { recursive: true, encoding: 'utf8' }).sort()) {
      if (!rel.endsWith('.yaml') || rel.startsWith('library')) continue;
      const kind = kindOf(rel.split(path.sep).join('/'), readYaml(path.join(ws, rel)));
      if (kind) files.push({ rel, kind });
    }
  });

  it('writes the four schemas as `tenderkit schema --for …` prints them, and strict Ajv compiles them', async () => {
    for (const kind of SCHEMA_KINDS) {
      const file = path.join(ws, '.tenderkit', 'schemas', schemaFileName(kind));
      const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(written).toEqual(jsonSchemaFor(kind));
      const strict = new Ajv2020({ strict: true });
      addFormats(strict);
      expect(() => strict.compile(written)).not.toThrow();
      const printed = await run('schema', '--for', kind);
      expect(printed.code).toBe(0);
      expect(JSON.parse(printed.out)).toEqual(written);
    }
    // And as a process, with the usage errors.
    const tender = spawnSync(process.execPath, [BIN, 'schema', '--for', 'tender'], {
      encoding: 'utf8',
    });
    expect(tender.status).toBe(0);
    expect(JSON.parse(tender.stdout)).toEqual(jsonSchemaFor('tender'));
    const bad = spawnSync(process.execPath, [BIN, 'schema', '--for', 'contract'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('schema --for 只能是 bid、tender、company、workspace 之一');
    const md = await run('schema', '--for', 'company', '--format', 'markdown');
    expect(md.out).toContain('| `roster[].id` | 人员编号 |');
  });

  it('every YAML file it writes validates against its schema, which its first line names', () => {
    expect(files.map((f) => f.kind)).toEqual(
      expect.arrayContaining(['bid', 'company', 'workspace']),
    );
    for (const { rel, kind } of files) {
      const text = readFileSync(path.join(ws, rel), 'utf8');
      const m = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
      expect(m, rel).not.toBeNull();
      const schemaFile = path.resolve(path.dirname(path.join(ws, rel)), m![1]!);
      expect(path.basename(schemaFile)).toBe(schemaFileName(kind));
      expect(existsSync(schemaFile), schemaFile).toBe(true);
      expect(
        validators[kind](readYaml(path.join(ws, rel))),
        `${rel}\n${explain(validators[kind])}`,
      ).toBe(true);
    }
    // VS Code's mapping points at the same files.
    const settings = JSON.parse(
      readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8'),
    ) as {
      'yaml.schemas': Record<string, string[]>;
    };
    for (const schema of Object.keys(settings['yaml.schemas']))
      expect(existsSync(path.join(ws, schema)), schema).toBe(true);
  });

  async function lintStarter() {
    const bid = files.find((f) => f.kind === 'bid')!.rel;
    const r = spawnSync(process.execPath, [BIN, 'lint', path.join(ws, bid), '--format', 'json'], {
      encoding: 'utf8',
    });
    return { status: r.status, report: JSON.parse(r.stdout) as LintJson };
  }

  /** Each case alone fails Ajv at its field; all together make the CLI refuse the starter bid. */
  async function refusedByBoth(kind: 'company' | 'workspace', file: string, cases: Case[]) {
    const original = readFileSync(path.join(ws, file), 'utf8');
    const base = () => {
      const data = readYaml(path.join(ws, file)) as Record<string, unknown>;
      // The starter settings leave the house style commented out: give the style cases a place.
      if (kind === 'workspace') data.style ??= { fonts: { body: {} }, sizes: {} };
      return data;
    };
    for (const c of cases) {
      const data = base();
      setIn(data, c.at, c.value);
      expect(validators[kind](data), `Ajv accepted ${c.what}`).toBe(false);
      const where = pointer(c.ajvAt ?? c.at);
      expect(
        (validators[kind].errors as ErrorObject[]).some(
          (e) => e.instancePath === where || e.instancePath.startsWith(`${where}/`),
        ),
        `${c.what}: ${explain(validators[kind])}`,
      ).toBe(true);
    }
    const broken = base();
    for (const c of cases) setIn(broken, c.at, c.value);
    try {
      writeFileSync(path.join(ws, file), stringify(broken));
      const { status, report } = await lintStarter();
      expect(status).toBe(1);
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      for (const c of cases)
        expect(
          errors.filter((d) => d.file?.endsWith(file)).map((d) => d.path),
          `the CLI accepted ${c.what}`,
        ).toContain(fmt(c.at));
    } finally {
      writeFileSync(path.join(ws, file), original);
    }
  }

  it('the CLI accepts the starter bid as written', async () => {
    const { status, report } = await lintStarter();
    expect(status, JSON.stringify(report.diagnostics)).toBe(0);
  });

  it('company.yaml: known-invalid values are refused by both Ajv and the CLI', async () => {
    await refusedByBoth('company', 'company.yaml', COMPANY_CASES);
  });

  it('tenderkit.yaml: known-invalid values are refused by both Ajv and the CLI', async () => {
    await refusedByBoth('workspace', 'tenderkit.yaml', WORKSPACE_CASES);
  });
});
