// What the README field table, the editor JSON Schema and the web form say a duration field takes
// (its units, its examples) is what that field's schema really takes: every example shown parses,
// and the units named are exactly the units accepted.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { renderFormPage } from '../../test/form-helpers.js';
import { exampleFile } from '../../test/helpers.js';
import type { FieldPath } from '../load/yaml-file.js';
import { metaOf, schemaAt } from '../load/zod-issues.js';
import { formModel, type Field } from '../server/form-model.js';
import { bidSchema, type BidInput } from './bid.js';
import { DURATION_UNITS, type DurationUnit } from './duration.js';
import { jsonSchemaFor } from './json-schema.js';
import { fieldReference } from './reference.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const UNITS = Object.keys(DURATION_UNITS) as DurationUnit[];
const WORD: Record<DurationUnit, string> = {
  minute: '分钟',
  hour: '小时',
  day: '日',
  workday: '工作日',
  week: '周',
  month: '月',
  year: '年',
};

/** `warranty.components[].period` or `responseTiers[0].within` → the schema path (lists at 0). */
function fieldPath(p: string): FieldPath {
  return p
    .replace(/\[[^\]]*\]/g, '.0')
    .split('.')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function fieldSchema(p: string): z.ZodType {
  const s = schemaAt(bidSchema, fieldPath(p));
  if (!s) throw new Error(`no field ${p}`);
  return s;
}

const accepts = (s: z.ZodType, v: unknown) => s.safeParse(v).success;

/** The units a field really takes, asked of its schema one by one. */
const unitsAccepted = (s: z.ZodType) => UNITS.filter((u) => accepts(s, { amount: 1, unit: u }));

/** The units a description names: “单位可用分钟、小时…” or “以日、周、月、年计（不能写…）”. */
function unitsNamed(text: string): DurationUnit[] {
  const m = /单位可用([^：；，。]+)|以([^计]+)计/.exec(text);
  if (!m) throw new Error(`no units in “${text}”`);
  const words = (m[1] ?? m[2]!).split('、');
  return UNITS.filter((u) => words.includes(WORD[u]));
}

/** The field table rows of README.md whose type is a duration: path, type cell, help cell. */
function readmeDurationRows(): { path: string; type: string; help: string }[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| 字段 | 名称 |'));
  return table
    .split('\n')
    .map((line) => line.split(/(?<!\\)\|/).map((c) => c.trim()))
    .filter((cells) => cells[3]?.startsWith('时长'))
    .map((cells) => ({ path: cells[1]!.replace(/`/g, ''), type: cells[3]!, help: cells[6]! }));
}

const backticked = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
const quoted = (s: string) => [...s.matchAll(/“([^”]+)”/g)].map((m) => m[1]!);

describe('duration fields say exactly what they take', () => {
  it('README: every example in the field table parses for its field, and the units named are the units taken', () => {
    const rows = readmeDurationRows();
    expect(rows.length).toBeGreaterThanOrEqual(18);
    let examples = 0;
    for (const row of rows) {
      const s = fieldSchema(row.path);
      expect(metaOf(s).valueKind, row.path).toBe('duration');
      expect(unitsNamed(row.type), row.path).toEqual(unitsAccepted(s));
      const shown = [...backticked(row.type), ...quoted(row.help)];
      for (const ex of shown) {
        examples++;
        expect(accepts(s, ex), `${row.path}: ${ex}`).toBe(true);
      }
      // Each special form is shown exactly when the field takes it.
      for (const special of ['立即', '协商确定', '终身', '工作日24小时、节假日48小时'])
        expect(backticked(row.type).includes(special), `${row.path}: ${special}`).toBe(
          accepts(s, special),
        );
    }
    expect(examples).toBeGreaterThan(100);
    // The periods the outside tester named list no minute or hour lengths, and refuse them.
    for (const p of [
      'warranty.components[].period',
      'afterWarranty.freePhoneConsultationPeriod',
      'spares.period',
    ]) {
      const row = rows.find((r) => r.path === p)!;
      expect(row.type).toBe(
        '时长，以日、周、月、年计（不能写分钟、小时、工作日）：`7日` `一周` `3个月` `3年` `终身`',
      );
      for (const refused of ['30分钟', '2小时', '1个工作日'])
        expect(accepts(fieldSchema(p), refused)).toBe(false);
    }
  });

  it('README: the table is the one the schema generates (npm run docs:fields)', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme.endsWith(`${fieldReference()}\n`)).toBe(true);
  });

  it('editor JSON Schema: each duration field names its units and gives only examples it takes', () => {
    let fields = 0;
    const walk = (node: Record<string, unknown>, at: string) => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [k, child] of Object.entries(props ?? {})) walk(child, at ? `${at}.${k}` : k);
      const items = node.items as Record<string, unknown> | undefined;
      if (items) walk(items, `${at}[]`);
      const description = typeof node.description === 'string' ? node.description : '';
      if (!description.includes('时长，')) return;
      fields++;
      const s = fieldSchema(at);
      expect(unitsNamed(description), at).toEqual(unitsAccepted(s));
      const examples = (node.examples as unknown[] | undefined) ?? [];
      expect(examples.length, at).toBeGreaterThan(0);
      for (const ex of [...examples, ...backticked(description).filter((b) => !b.includes('{'))])
        expect(accepts(s, ex), `${at}: ${String(ex)}`).toBe(true);
    };
    walk(jsonSchemaFor('bid'), '');
    // Including the after-warranty milestones, which reuse the tiers' milestone schema.
    expect(fields).toBe(readmeDurationRows().length);
  });

  it('web form: every duration placeholder and help example the served page shows parses for its field', () => {
    const input = parse(readFileSync(exampleFile('highway-monitoring'), 'utf8'), {
      version: '1.2',
    }) as BidInput;
    const html = renderFormPage(input);
    let shown = 0;
    for (const m of html.matchAll(/<(?:input|textarea)\b[^>]*>/g)) {
      const name = /\bname="([^"]+)"/.exec(m[0])?.[1];
      const placeholder = /\bplaceholder="例如 ([^"]+)"/.exec(m[0])?.[1];
      if (!name || !placeholder || name.includes('__')) continue;
      const s = schemaAt(bidSchema, fieldPath(name));
      if (metaOf(s).valueKind !== 'duration') continue;
      shown++;
      expect(accepts(s!, placeholder), `${name}: ${placeholder}`).toBe(true);
    }
    expect(shown).toBeGreaterThanOrEqual(10);
    // The help shown beside each duration field quotes only values that field takes.
    let helps = 0;
    const walk = (f: Field) => {
      if (f.kind === 'group') f.fields.forEach(walk);
      else if (f.kind === 'list') walk(f.item);
      else if (f.valueKind === 'duration' && f.help) {
        expect(html).toContain(f.help);
        for (const ex of quoted(f.help)) {
          helps++;
          expect(accepts(fieldSchema(f.path), ex), `${f.path}: ${ex}`).toBe(true);
        }
      }
    };
    walk(formModel());
    expect(helps).toBeGreaterThanOrEqual(18);
  });
});
