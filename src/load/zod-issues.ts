// Turns Zod issues into catalogue diagnostics with a place in the YAML file and the field's label.
import { z } from 'zod';
import type { ProblemName } from '../diagnostics/catalogue.js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { FieldPath, LoadedYaml } from './yaml-file.js';

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** The schema node at a path, looking through optional/default/pipe wrappers. */
export function schemaAt(root: z.ZodType, path: FieldPath): z.ZodType | undefined {
  let cur: z.ZodType | undefined = root;
  for (const seg of path) {
    cur = unwrap(cur);
    if (!cur) return undefined;
    if (cur instanceof z.ZodObject && typeof seg === 'string')
      cur = Object.prototype.hasOwnProperty.call(cur.shape, seg)
        ? (cur.shape[seg] as z.ZodType)
        : undefined; // own keys only: `constructor` is no field
    else if (cur instanceof z.ZodArray && typeof seg === 'number') cur = cur.element as z.ZodType;
    else return undefined;
  }
  return cur;
}

export function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  let cur = s;
  for (let i = 0; i < 10 && cur; i++) {
    if (
      cur instanceof z.ZodOptional ||
      cur instanceof z.ZodDefault ||
      cur instanceof z.ZodPrefault ||
      cur instanceof z.ZodNullable
    ) {
      cur = cur.unwrap() as z.ZodType;
    } else if (cur instanceof z.ZodPipe) cur = cur.in as z.ZodType;
    else break;
  }
  return cur;
}

/** The metadata of a schema node merged through its wrappers (outer layers win). */
export function metaOf(s: z.ZodType | undefined): Record<string, unknown> {
  const layers: Record<string, unknown>[] = [];
  let cur = s;
  for (let i = 0; i < 10 && cur; i++) {
    layers.push((cur.meta() ?? {}) as Record<string, unknown>);
    const next = unwrap1(cur);
    if (next === cur) break;
    cur = next;
  }
  return Object.assign({}, ...layers.reverse()) as Record<string, unknown>;
}

function unwrap1(cur: z.ZodType): z.ZodType | undefined {
  if (
    cur instanceof z.ZodOptional ||
    cur instanceof z.ZodDefault ||
    cur instanceof z.ZodPrefault ||
    cur instanceof z.ZodNullable
  )
    return cur.unwrap() as z.ZodType;
  if (cur instanceof z.ZodPipe) return cur.in as z.ZodType;
  return cur;
}

export function labelAt(root: z.ZodType, path: FieldPath): string | undefined {
  const own = metaOf(schemaAt(root, path)).label;
  return typeof own === 'string' ? own : undefined;
}

const TYPE_NAMES: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: '是/否（true/false）',
  array: '列表',
  object: '字段组',
  undefined: '空',
  null: '空',
};

function received(v: unknown): string {
  if (v === undefined) return '缺失';
  if (v === null) return '空值';
  if (Array.isArray(v)) return '列表';
  if (typeof v === 'object') return '字段组';
  if (typeof v === 'string') return `文本“${v.length > 20 ? `${v.slice(0, 20)}…` : v}”`;
  if (typeof v === 'boolean') return `是/否值 ${String(v)}`;
  return `${TYPE_NAMES[typeof v] ?? typeof v} ${String(v)}`;
}

/**
 * The inverse of formatPath: `responseTiers[0].name` → ['responseTiers', 0, 'name']; `[*]` (a
 * wildcard used by tender conditions) stays '*'.
 */
export function parseFieldPath(p: string): (string | number)[] {
  return [...p.matchAll(/([^.[\]]+)|\[(\d+|\*)\]/g)].map((m) =>
    m[2] === undefined ? m[1]! : m[2] === '*' ? '*' : Number(m[2]),
  );
}

/** The value at a field path in plain data, or undefined. */
export function valueAt(data: unknown, path: FieldPath): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined; // own properties only
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) [best, bestD] = [o, d];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** One diagnostic per problem; an unknown-keys issue becomes one diagnostic per key. */
export function zodIssuesToDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  root: z.ZodType,
  src: LoadedYaml,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const obj = unwrap(schemaAt(root, path));
      const known = obj instanceof z.ZodObject ? Object.keys(obj.shape) : [];
      for (const key of issue.keys) {
        const p = [...path, key];
        const guess = closest(key, known);
        out.push(
          diagnostic(
            'UnknownField',
            `未知字段“${key}”${guess ? `，是否应为“${guess}”？` : ''}${known.length ? `（此处可用字段：${known.join('、')}）` : ''}`,
            {
              location: src.locate(p, { key: true }),
              path: formatPath(p),
            },
          ),
        );
      }
      continue;
    }
    const value = valueAt(src.data, path);
    let name: ProblemName = 'InvalidValue';
    let message = issue.message;
    switch (issue.code) {
      case 'invalid_type':
        if (value === undefined) {
          name = 'MissingField';
          message = '缺少必填字段';
        } else if (path.length === 0) {
          // The whole file is not a mapping: perhaps not a bid at all (a link to another file, a
          // text file). Its content is never quoted.
          name = 'InvalidType';
          message = `文件内容应为“字段: 值”形式的字段组，实际是${Array.isArray(value) ? '一个列表' : typeof value === 'string' ? '一段文本' : '单个取值'}，请检查是否选错了文件`;
        } else {
          name = 'InvalidType';
          message = `应为${TYPE_NAMES[issue.expected] ?? issue.expected}，实际为${received(value)}`;
        }
        break;
      case 'too_small':
      case 'too_big': {
        name = 'OutOfRange';
        const isSize = issue.origin === 'array' || issue.origin === 'string';
        const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
        if (issue.origin === 'array')
          message = issue.code === 'too_small' ? `至少需要 ${limit} 项` : `最多 ${limit} 项`;
        else if (issue.origin === 'string')
          message = issue.code === 'too_small' ? '不能为空' : `不能超过 ${limit} 个字符`;
        else {
          const incl =
            issue.code === 'too_small'
              ? issue.inclusive
                ? '不能小于'
                : '应大于'
              : issue.inclusive
                ? '不能大于'
                : '应小于';
          message = `${incl} ${limit}，实际为 ${String(value)}`;
        }
        if (
          isSize &&
          issue.message &&
          !/^Too (small|big)/.test(issue.message) &&
          issue.origin === 'string'
        )
          message = issue.message;
        break;
      }
      case 'invalid_value': {
        const opts = issue.values.map(String);
        const labels = (unwrap(schemaAt(root, path))?.meta()?.enumLabels ?? {}) as Record<
          string,
          string
        >;
        const guess = typeof value === 'string' ? closest(value, opts) : undefined;
        const choices = opts.map((o) => (labels[o] ? `${o}（${labels[o]}）` : o)).join('、');
        // A list or a field group is not a value to quote: say what was written instead.
        message =
          value !== null && typeof value === 'object'
            ? `应为以下取值之一：${choices}；实际为${received(value)}`
            : `取值“${String(value)}”无效${guess ? `，是否应为“${guess}”？` : ''}（可选：${choices}）`;
        break;
      }
      case 'invalid_format':
        message = issue.message;
        break;
      case 'invalid_union':
        name = 'InvalidType';
        message = `取值无效（实际为${received(value)}）`;
        break;
      case 'custom': {
        const p = (issue.params as { problem?: ProblemName } | undefined)?.problem;
        if (p) name = p;
        break;
      }
      default:
        break;
    }
    if (
      issue.code === 'invalid_type' &&
      issue.expected === 'number' &&
      typeof value === 'number' &&
      !Number.isFinite(value)
    ) {
      message = `应为有限数字，实际为 ${String(value)}`;
    }
    out.push(
      diagnostic(name, message, {
        location: src.locate(path),
        path: formatPath(path),
        label: labelAt(root, path),
      }),
    );
  }
  return out;
}
