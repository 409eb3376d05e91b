// The Markdown field reference (README, `tenderkit schema --format markdown`), generated from the
// Zod schemas' meta; the editors' JSON Schemas are in json-schema.ts.
import type { DurationKind, DurationUnit } from './duration.js';
import {
  annotatedJsonSchema,
  durationForms,
  durationUnitsText,
  restrictedUnits,
  type SchemaKind,
} from './json-schema.js';

interface JsonNode {
  type?: string | string[];
  label?: string;
  help?: string;
  default?: unknown;
  enum?: unknown[];
  enumLabels?: Record<string, string>;
  properties?: Record<string, JsonNode>;
  required?: string[];
  items?: JsonNode;
  anyOf?: JsonNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  format?: string;
  unit?: string;
  valueKind?: string;
  allow?: DurationKind[];
  units?: DurationUnit[];
}

const VALUE_KINDS: Record<string, string> = {
  frequency: '频次，如 `每季度`、`每年4次`、`不限次数`',
  percent: '百分比，如 `95%`',
  'service-hours': '服务时间，如 `7x24`、`工作日 8:00-18:00`、`工作日每天8小时`',
};

/** Which units and forms the field takes, each example one that field accepts (json-schema.ts). */
function durationName(
  allow: readonly DurationKind[] = [],
  units: readonly DurationUnit[] = [],
): string {
  const restricted = restrictedUnits(units);
  const forms = durationForms(allow, restricted).map((f) => `\`${f}\``);
  return `时长${allow.includes('amount') ? `，${durationUnitsText(restricted)}` : ''}：${forms.join(' ')}`;
}

function typeName(n: JsonNode): string {
  if (n.valueKind === 'duration') return durationName(n.allow, n.units);
  if (n.valueKind) return VALUE_KINDS[n.valueKind] ?? n.valueKind;
  if (n.enum) return n.enum.map((v) => `\`${String(v)}\``).join(' / ');
  if (n.anyOf) return n.unit === '元' ? '金额（元）' : n.anyOf.map(typeName).join(' 或 ');
  if (n.format === 'date') return '日期 YYYY-MM-DD';
  const t = Array.isArray(n.type) ? n.type.join('|') : (n.type ?? '');
  if (t === 'array') return `列表：${n.items ? typeName(n.items) : ''}`;
  const range =
    n.minimum !== undefined || n.maximum !== undefined || n.exclusiveMinimum !== undefined
      ? ` ${n.exclusiveMinimum !== undefined ? `>${n.exclusiveMinimum}` : (n.minimum ?? '')}–${n.maximum !== undefined && n.maximum < 1e9 ? n.maximum : ''}`
      : '';
  return (
    ({ integer: '整数', number: '数字', string: '文本', boolean: 'true/false', object: '字段组' }[
      t
    ] ?? t) + range
  );
}

/** One Markdown table row per field, depth-first, with `[]` marking list items. */
export function fieldReference(kind: SchemaKind = 'bid'): string {
  const rows: string[] = [
    '| 字段 | 名称 | 类型 | 必填 | 默认值 | 说明 |',
    '|---|---|---|:-:|---|---|',
  ];
  const walk = (n: JsonNode, path: string, required: boolean) => {
    if (path) {
      const def = n.default === undefined ? '' : `\`${JSON.stringify(n.default)}\``;
      const labels = n.enumLabels
        ? Object.entries(n.enumLabels)
            .map(([k, v]) => `\`${k}\` ${v}`)
            .join('；')
        : '';
      const help = [n.help ?? '', labels].filter(Boolean).join(' ');
      rows.push(
        `| \`${path}\` | ${n.label ?? ''} | ${typeName(n).replace(/\|/g, '\\|')} | ${required && n.default === undefined ? '是' : ''} | ${def} | ${help} |`,
      );
    }
    const obj = n.properties ? n : n.items?.properties ? n.items : undefined;
    if (!obj?.properties) return;
    const prefix = n.items ? `${path}[]` : path;
    for (const [k, child] of Object.entries(obj.properties)) {
      walk(child, prefix ? `${prefix}.${k}` : k, (obj.required ?? []).includes(k));
    }
  };
  walk(annotatedJsonSchema(kind).json as JsonNode, '', true);
  return rows.join('\n');
}
