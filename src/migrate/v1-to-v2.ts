// Rewrites a version-1 bid file as version 2. Version 1 filled in many promises by default (7×24
// service, full-time staff, free phone consultation…); version 2 promises only what the file says,
// so every such default is written out here and listed for the bid team to check. Comments and the
// order of untouched keys survive: the file is edited as a YAML Document, not re-serialised data.
import {
  CST,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Pair,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq,
  type Document,
  type Node,
} from 'yaml';
import {
  afterWarrantySchema,
  bidSchema,
  channelSchema,
  emergencySchema,
  exclusionsSchema,
  penaltiesSchema,
  serviceSchema,
  sparesSchema,
  staffSchema,
  trainingSchema,
  warrantySchema,
  SCHEMA_VERSION,
} from '../schema/bid.js';
import { parseServiceHours } from '../schema/duration.js';
import { diagnostic, sortDiagnostics, TenderKitError } from '../diagnostics/diagnostic.js';
import { parseYamlText, type FieldPath, type LoadedYaml } from '../load/yaml-file.js';
import { formatPath } from '../load/zod-issues.js';

/** One value the migration wrote out from a version-1 default, or could not convert. */
export interface Note {
  /** The version-1 field path, e.g. `responseTiers[0].resolveHours`. */
  readonly path: string;
  /** Line in the migrated text where the value now stands (or its nearest remaining parent). */
  readonly line: number;
  /** Line in the version-1 text where the field (or its nearest parent) stood. */
  readonly sourceLine: number;
  /** What was done, in Chinese. */
  readonly message: string;
}

export interface Migration {
  /** The version-2 text (the input unchanged when it already was version 2). */
  readonly text: string;
  /** Version-1 defaults now written in the file: each is a promise to confirm or delete. */
  readonly explicit: readonly Note[];
  /** Values that could not be converted: kept as they were, or dropped, as each note says. */
  readonly unmapped: readonly Note[];
  /** Sentences version 1 printed that version 2 words differently or no longer writes. */
  readonly wording: readonly Note[];
  /** The input already was a version-2 file; nothing was changed. */
  readonly upToDate: boolean;
}

type Path = readonly (string | number)[];
type Value = string | number | boolean | readonly Value[] | { readonly [k: string]: Value };

interface Pending {
  readonly list: 'explicit' | 'unmapped' | 'wording';
  /** Version-1 path (for display and the source line). */
  readonly v1: Path;
  /** Where the value is in the output, to find its line. */
  readonly at: Path;
  readonly message: string;
  /** Removed from the file: the note names the line it stood on in the original. */
  readonly dropped?: boolean;
}

// ---------------------------------------------------------------- version 1 shape

/** Top-level keys of a version-1 bid. */
const V1_TOP = [
  'documents',
  'tenderee',
  'bidder',
  'project',
  'warranty',
  'staff',
  'service',
  'responseTiers',
  'outOfWarranty',
  'spares',
  'emergency',
  'penalties',
  'exclusions',
  'training',
  'signature',
  'tender',
  'clauseVersions',
] as const;

/** Keys of the version-1 sections this migration rewrites (the others did not change). */
const V1_KEYS: Record<string, readonly string[]> = {
  warranty: ['softwareMonths', 'overallMonths', 'hardwareMonths', 'start', 'lifetimeSupport'],
  staff: [
    'committedCount',
    'fullTime',
    'formalEmployees',
    'minTenureYears',
    'minExperienceYears',
    'residentEngineer',
    'localEngineers',
    'roster',
  ],
  service: [
    'coverage',
    'channels',
    'escalation',
    'remoteNeedsConsent',
    'inspectionIntervalMonths',
    'visitFirstYearMonths',
    'visitLaterMonths',
    'freeUpgradeYears',
  ],
  outOfWarranty: ['pricing', 'freePhoneConsultation', 'annualFee'],
  spares: ['years', 'loaner', 'stock'],
  emergency: ['teamSize', 'drillIntervalMonths', 'risks'],
  penalties: ['ownerMayRepairAndDeduct', 'repeatVisitLimit', 'items'],
  exclusions: ['standard', 'extra'],
  training: [
    'audiences',
    'modules',
    'trainers',
    'location',
    'timing',
    'schedule',
    'materials',
    'traineeCount',
    'totalHours',
    'freeOfCharge',
  ],
};
const V1_TIER_KEYS = [
  'name',
  'definition',
  'responseMinutes',
  'onsiteHoursLocal',
  'onsiteHoursRemote',
  'resolveHours',
];
const V1_COVERAGE_KEYS = ['mode', 'hours'];

const V1_DEFAULT_CHANNELS = [{ kind: 'hotline' }, { kind: 'remote' }, { kind: 'onsite' }];
const V1_DEFAULT_ESCALATION = ['phone', 'remote', 'onsite', 'emergency-team'];
const V1_DEFAULT_EXCLUSIONS = [
  'out-of-period',
  'misuse',
  'environment',
  'unauthorised-repair',
  'non-standard',
  'force-majeure',
];
const V1_DEFAULT_MATERIALS = ['user-manual', 'admin-manual', 'slides'];
const V1_FREE_SERVICES = [
  'troubleshooting',
  'defect-fixes',
  'maintenance',
  'consultation',
  'travel',
];

/** Key order of each version-2 section, for placing keys the migration adds. */
const ORDER: Record<string, readonly string[]> = {
  '': Object.keys(bidSchema.shape),
  warranty: Object.keys(warrantySchema.shape),
  staff: Object.keys(staffSchema.shape),
  service: Object.keys(serviceSchema.shape),
  afterWarranty: Object.keys(afterWarrantySchema.shape),
  spares: Object.keys(sparesSchema.shape),
  emergency: Object.keys(emergencySchema.shape),
  penalties: Object.keys(penaltiesSchema.shape),
  exclusions: Object.keys(exclusionsSchema.shape),
  training: Object.keys(trainingSchema.shape),
  channel: Object.keys(channelSchema.shape),
  tier: ['name', 'definition', 'negotiable', 'milestones'],
};

// ---------------------------------------------------------------- value conversions

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const isHours = (v: unknown): v is number =>
  typeof v === 'number' && v > 0 && v <= 10_000 && Number.isInteger(v * 2);

/** 30 → 30分钟, 120 → 2小时. */
export function minutesText(n: number): string {
  return n % 60 === 0 ? `${n / 60}小时` : `${n}分钟`;
}

/** 2 → 2小时, 0.5 → 30分钟, 1.5 → 1.5小时. */
export function hoursText(h: number): string {
  return h < 1 ? `${h * 60}分钟` : `${h}小时`;
}

/** 1 → 每月, 3 → 每季度, 6 → 每半年, 12 → 每年, 2 → 每2个月. */
export function everyMonthsText(n: number): string {
  return { 1: '每月', 3: '每季度', 6: '每半年', 12: '每年' }[n] ?? `每${n}个月`;
}

function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 30 ? `${s.slice(0, 30)}…` : s;
}

// ---------------------------------------------------------------- YAML node helpers

const keyOf = (p: Pair): unknown => (isScalar(p.key) ? p.key.value : p.key);

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => keyOf(p) === key);
}

/** Every comment in a subtree, in order. */
function commentsIn(node: unknown, out: string[] = []): string[] {
  if (!node || typeof node !== 'object') return out;
  const n = node as { commentBefore?: string | null; comment?: string | null };
  if (n.commentBefore) out.push(n.commentBefore);
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      if (item instanceof Pair) {
        commentsIn(item.key, out);
        commentsIn(item.value, out);
      } else commentsIn(item, out);
    }
  }
  if (n.comment) out.push(n.comment);
  return out;
}

function addCommentBefore(node: Node, comments: readonly string[]): void {
  if (!comments.length) return;
  node.commentBefore = [node.commentBefore, ...comments].filter(Boolean).join('\n');
}

/** The key as a Scalar node (block maps always have them; created pairs get one). */
function keyNode(p: Pair): Scalar {
  if (isScalar(p.key)) return p.key;
  const k = new Scalar(keyOf(p));
  p.key = k;
  return k;
}

// ---------------------------------------------------------------- the migration

class Migrator {
  readonly notes: Pending[] = [];
  constructor(readonly doc: Document.Parsed) {}

  explicit(v1: Path, at: Path, message: string): void {
    this.notes.push({ list: 'explicit', v1, at, message });
  }

  unmapped(v1: Path, at: Path, message: string, dropped = false): void {
    this.notes.push({ list: 'unmapped', v1, at, message, dropped });
  }

  js(node: unknown): unknown {
    if (node === null || node === undefined) return undefined;
    if (isScalar(node)) return node.value;
    return (node as Node).toJS(this.doc, { maxAliasCount: 100 });
  }

  get(map: YAMLMap, key: string): unknown {
    return this.js(pairOf(map, key)?.value);
  }

  node(value: Value, flow = false): Node {
    return this.doc.createNode(value, { flow }) as Node;
  }

  /** A block list whose items are one-line `{ … }` maps. */
  listOfFlowMaps(items: readonly Value[]): YAMLSeq {
    const seq = this.node(items) as YAMLSeq;
    for (const item of seq.items) if (isMap(item)) item.flow = true;
    return seq;
  }

  /** Adds `key: value` where version 2 orders it among the keys already there. */
  insert(map: YAMLMap, section: string, key: string, value: Node): Pair {
    const order = ORDER[section] ?? [];
    const rank = order.indexOf(key);
    let at = 0;
    map.items.forEach((p, i) => {
      const r = order.indexOf(String(keyOf(p)));
      if (r >= 0 && r < rank) at = i + 1;
    });
    const pair = new Pair(new Scalar(key), value);
    map.items.splice(at, 0, pair);
    return pair;
  }

  /** Removes a pair; its comments and blank line move to the pair after it (or the map's end). */
  remove(map: YAMLMap, pair: Pair): void {
    const i = map.items.indexOf(pair);
    if (i < 0) return;
    map.items.splice(i, 1);
    const comments = commentsIn(pair.key).concat(commentsIn(pair.value));
    const next = map.items[i];
    if (next) {
      const k = keyNode(next);
      if (isScalar(pair.key) && pair.key.spaceBefore) k.spaceBefore = true;
      addCommentBefore(k, comments);
    } else if (comments.length) {
      map.comment = [map.comment, ...comments].filter(Boolean).join('\n');
    }
  }

  /** Renames a pair in place and gives it a new value; comments stay with the key. */
  replace(pair: Pair, key: string, value: Node): void {
    const k = keyNode(pair);
    k.value = key;
    const old = pair.value;
    if (isScalar(old) && isScalar(value)) {
      value.comment = old.comment;
      value.commentBefore = old.commentBefore;
    } else addCommentBefore(k, commentsIn(old));
    pair.value = value;
  }

  /** A section map, created (empty, in version-2 order) when `create` and absent. */
  section(root: YAMLMap, key: string, create: boolean): YAMLMap | undefined {
    const pair = pairOf(root, key);
    if (pair) return isMap(pair.value) ? pair.value : undefined;
    if (!create) return undefined;
    const map = new YAMLMap();
    this.insert(root, '', key, map);
    return map;
  }

  /** Reports keys the version-1 schema did not have; they are left as they are. */
  unknownKeys(map: YAMLMap, known: readonly string[], base: Path): void {
    for (const p of map.items) {
      const k = keyOf(p);
      if (typeof k === 'string' && known.includes(k)) continue;
      const path = [...base, String(k)];
      this.unmapped(path, path, '第 1 版没有这个字段，已原样保留，请手工改为第 2 版的写法或删除');
    }
  }

  invalid(path: Path, value: unknown, expected: string): void {
    this.unmapped(
      path,
      path,
      `取值“${shown(value)}”无法转换（第 1 版要求${expected}），已原样保留，请手工改为第 2 版的写法`,
    );
  }
}

// ---------------------------------------------------------------- sections

function migrateWarranty(m: Migrator, root: YAMLMap, carry: { lifetime: boolean }): void {
  const w = m.section(root, 'warranty', false);
  if (!w) {
    if (pairOf(root, 'warranty')) m.invalid(['warranty'], m.get(root, 'warranty'), '字段组');
    return;
  }
  const base = ['warranty'];
  m.unknownKeys(w, V1_KEYS.warranty!, base);
  const components: { name: string; period: string }[] = [];
  const consumed: Pair[] = [];
  for (const [key, name] of [
    ['softwareMonths', '软件'],
    ['hardwareMonths', '硬件设备'],
  ] as const) {
    const pair = pairOf(w, key);
    if (!pair) continue;
    const v = m.js(pair.value);
    if (isInt(v, 1, 240)) {
      components.push({ name, period: `${v}个月` });
      consumed.push(pair);
    } else m.invalid([...base, key], v, '1–240 的整数月数');
  }
  if (components.length && !pairOf(w, 'components')) {
    m.replace(consumed[0]!, 'components', m.listOfFlowMaps(components));
    for (const p of consumed.slice(1)) m.remove(w, p);
  } else if (!consumed.length && !pairOf(w, 'softwareMonths')) {
    m.unmapped(
      [...base, 'softwareMonths'],
      base,
      '第 1 版必填的软件质保期没有填写，无法写出 warranty.components，请手工填写各对象的质保期',
    );
  }

  const overall = pairOf(w, 'overallMonths');
  if (overall) {
    const v = m.js(overall.value);
    if (isInt(v, 1, 240)) m.replace(overall, 'overall', m.node(`${v}个月`));
    else m.invalid([...base, 'overallMonths'], v, '1–240 的整数月数');
  }

  if (!pairOf(w, 'start')) {
    m.insert(w, 'warranty', 'start', m.node('final-acceptance'));
    m.explicit(
      [...base, 'start'],
      [...base, 'start'],
      '第 1 版未写起算日时默认“自项目终验合格之日起计算”，现写为 start: final-acceptance',
    );
  }

  const life = pairOf(w, 'lifetimeSupport');
  if (life) {
    const v = m.js(life.value);
    if (typeof v === 'boolean') {
      carry.lifetime = v;
      m.remove(w, life);
    } else m.invalid([...base, 'lifetimeSupport'], v, 'true 或 false');
  }

  if (!pairOf(w, 'freeServices')) {
    m.insert(w, 'warranty', 'freeServices', m.node(V1_FREE_SERVICES, true));
    m.explicit(
      base,
      [...base, 'freeServices'],
      '第 1 版质保条款承诺质保期内免费排除故障、修正软件缺陷、运行维护、技术咨询并承担人员差旅费用，现写为 freeServices',
    );
  }
}

function migrateStaff(m: Migrator, root: YAMLMap): void {
  const s = m.section(root, 'staff', false);
  if (!s) return;
  const base = ['staff'];
  m.unknownKeys(s, V1_KEYS.staff!, base);
  const defaults = [
    ['fullTime', '第 1 版默认承诺服务人员为专职人员，现写为 fullTime: true'],
    ['formalEmployees', '第 1 版默认承诺服务人员均为本单位正式员工，现写为 formalEmployees: true'],
  ] as const;
  for (const [key, message] of defaults) {
    if (pairOf(s, key)) continue;
    m.insert(s, 'staff', key, m.node(true));
    m.explicit([...base, key], [...base, key], message);
  }
  const resident = pairOf(s, 'residentEngineer');
  if (resident) {
    const v = m.js(resident.value);
    if (v === true && !pairOf(s, 'residentEngineers')) {
      m.replace(resident, 'residentEngineers', m.node(1));
      m.explicit(
        [...base, 'residentEngineer'],
        [...base, 'residentEngineers'],
        '第 1 版“派驻驻场工程师”没有写人数，现写为 residentEngineers: 1（1 名驻场工程师），请按实际人数修改',
      );
    } else if (v === false) m.remove(s, resident);
    else m.invalid([...base, 'residentEngineer'], v, 'true 或 false');
  }
  if (!pairOf(s, 'stableTeam')) {
    m.insert(s, 'staff', 'stableTeam', m.node(true));
    m.explicit(
      base,
      [...base, 'stableTeam'],
      '第 1 版条款始终承诺服务团队保持稳定、人员调整须提前书面告知并由同等资历人员接替，现写为 stableTeam: true',
    );
  }
}

/** Version-2 service hours for a version-1 coverage, or undefined when the text does not parse. */
function serviceHoursFor(mode: unknown, hours: unknown): string | undefined {
  if (mode === undefined || mode === '7x24') return '7x24';
  if (typeof hours !== 'string') return undefined;
  const prefix = mode === 'office-hours' ? '工作日' : mode === 'extended' ? '每天' : undefined;
  const tries = [...(prefix ? [`${prefix} ${hours}`] : []), hours];
  for (const t of tries) {
    const r = parseServiceHours(t);
    if (
      r.ok &&
      (prefix === undefined || r.value.days === (prefix === '工作日' ? 'workdays' : 'all'))
    )
      return t.trim();
  }
  return undefined;
}

function migrateService(m: Migrator, root: YAMLMap): void {
  if (pairOf(root, 'service') && !m.section(root, 'service', false)) {
    m.invalid(['service'], m.get(root, 'service'), '字段组');
    return;
  }
  const created = !pairOf(root, 'service');
  const s = m.section(root, 'service', true)!;
  const base = ['service'];
  if (!created) m.unknownKeys(s, V1_KEYS.service!, base);

  // coverage → hours
  const coverage = pairOf(s, 'coverage');
  if (!coverage) {
    if (!pairOf(s, 'hours')) {
      m.insert(s, 'service', 'hours', m.node('7x24'));
      m.explicit(
        [...base, 'coverage'],
        [...base, 'hours'],
        '第 1 版默认承诺 7×24 小时服务，现写为 service.hours: 7x24',
      );
    }
  } else {
    const c = m.js(coverage.value);
    const obj =
      c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : undefined;
    const unknown = obj ? Object.keys(obj).filter((k) => !V1_COVERAGE_KEYS.includes(k)) : [];
    const hours = obj && !unknown.length ? serviceHoursFor(obj.mode, obj.hours) : undefined;
    if (hours && !pairOf(s, 'hours')) {
      m.replace(coverage, 'hours', m.node(hours));
      if (obj && obj.mode === undefined)
        m.explicit(
          [...base, 'coverage', 'mode'],
          [...base, 'hours'],
          '第 1 版默认承诺 7×24 小时服务，现写为 service.hours: 7x24',
        );
    } else {
      const what =
        obj && typeof obj.hours === 'string'
          ? `服务时段“${obj.hours}”`
          : obj && obj.mode !== undefined
            ? `服务时段“${shown(obj.mode)}”（未写具体时间）`
            : `服务时间“${shown(c)}”`;
      m.unmapped(
        [...base, 'coverage'],
        [...base, 'coverage'],
        `无法把${what}转换为第 2 版的服务时间，已原样保留 coverage；请改写为 service.hours，例如“工作日 8:00-18:00”“每天 8:00-24:00”`,
      );
    }
  }

  // channels, remote consent
  let channels = pairOf(s, 'channels');
  if (!channels) {
    channels = m.insert(s, 'service', 'channels', m.listOfFlowMaps(V1_DEFAULT_CHANNELS));
    m.explicit(
      [...base, 'channels'],
      [...base, 'channels'],
      '第 1 版默认承诺服务热线、远程支持、现场服务三种服务方式，现写为 service.channels',
    );
  }
  const consentPair = pairOf(s, 'remoteNeedsConsent');
  const consent = consentPair ? m.js(consentPair.value) : true;
  if (typeof consent !== 'boolean') {
    m.invalid([...base, 'remoteNeedsConsent'], consent, 'true 或 false');
  } else {
    if (consent) {
      const remotes: number[] = [];
      if (isSeq(channels.value))
        channels.value.items.forEach((item, i) => {
          if (isMap(item) && m.get(item, 'kind') === 'remote') {
            remotes.push(i);
            if (!pairOf(item, 'requiresConsent'))
              m.insert(item, 'channel', 'requiresConsent', m.node(true));
          }
        });
      if (!remotes.length)
        m.unmapped(
          [...base, 'remoteNeedsConsent'],
          [...base, 'channels'],
          `第 1 版${consentPair ? '' : '默认'}承诺远程登录须经用户同意，但服务渠道中没有远程支持（kind: remote），无处写入，已删除此项`,
          Boolean(consentPair),
        );
      else if (!consentPair)
        for (const i of remotes)
          m.explicit(
            [...base, 'remoteNeedsConsent'],
            [...base, 'channels', i, 'requiresConsent'],
            '第 1 版默认承诺远程登录须经用户同意，现在远程支持渠道写 requiresConsent: true',
          );
    }
    if (consentPair) m.remove(s, consentPair);
  }

  if (!pairOf(s, 'escalation')) {
    m.insert(s, 'service', 'escalation', m.node(V1_DEFAULT_ESCALATION, true));
    m.explicit(
      [...base, 'escalation'],
      [...base, 'escalation'],
      '第 1 版默认承诺按电话支持→远程支持→现场服务→应急小组逐级升级，现写为 service.escalation',
    );
  }

  // periodic items
  const periodic = [
    ['inspectionIntervalMonths', 'inspections', 12],
    ['visitFirstYearMonths', 'visitsFirstYear', 12],
    ['visitLaterMonths', 'visitsLater', 12],
  ] as const;
  for (const [from, to, max] of periodic) {
    const pair = pairOf(s, from);
    if (!pair) continue;
    const v = m.js(pair.value);
    if (!isInt(v, 1, max) || pairOf(s, to)) {
      m.invalid([...base, from], v, `1–${max} 的整数月数`);
      continue;
    }
    m.replace(pair, to, m.node(everyMonthsText(v)));
    if (to === 'inspections' && !pairOf(s, 'inspectionReport')) {
      m.insert(s, 'service', 'inspectionReport', m.node(true));
      m.explicit(
        [...base, from],
        [...base, 'inspectionReport'],
        '第 1 版巡检条款承诺每次巡检后提交巡检报告，现写为 inspectionReport: true',
      );
    }
  }
  const upgrade = pairOf(s, 'freeUpgradeYears');
  if (upgrade) {
    const v = m.js(upgrade.value);
    if (isInt(v, 1, 20) && !pairOf(s, 'freeUpgrades')) {
      m.replace(upgrade, 'freeUpgrades', m.node({ period: `${v}年`, start: 'acceptance' }, true));
      m.explicit(
        [...base, 'freeUpgradeYears'],
        [...base, 'freeUpgrades', 'start'],
        '第 1 版免费升级期限自项目验收合格之日起计算，现写为 freeUpgrades.start: acceptance',
      );
    } else m.invalid([...base, 'freeUpgradeYears'], v, '1–20 的整数年数');
  }
}

function migrateTier(m: Migrator, t: YAMLMap, i: number): void {
  const base = ['responseTiers', i];
  const at = [...base, 'milestones'];
  m.unknownKeys(t, V1_TIER_KEYS, base);
  if (pairOf(t, 'milestones') || pairOf(t, 'negotiable')) return;
  const milestones: Node[] = [];
  const consumed: Pair[] = [];
  const take = (key: string, ok: (v: unknown) => boolean, expected: string): unknown => {
    const pair = pairOf(t, key);
    if (!pair) return undefined;
    const v = m.js(pair.value);
    if (ok(v)) {
      consumed.push(pair);
      return v;
    }
    m.invalid([...base, key], v, expected);
    return undefined;
  };
  const flow = (v: Value) => m.node(v, true);

  const respond = take('responseMinutes', (v) => isInt(v, 1, 60 * 24 * 30), '1–43200 的整数分钟数');
  if (typeof respond === 'number')
    milestones.push(flow({ kind: 'respond', within: minutesText(respond), from: 'report' }));
  else if (!pairOf(t, 'responseMinutes'))
    m.unmapped(
      [...base, 'responseMinutes'],
      base,
      '第 1 版必填的响应时间没有填写，未写响应环节，请手工补写 { kind: respond, within: … }',
    );

  const local = take('onsiteHoursLocal', isHours, '0.5 的整数倍小时数');
  const remote = take('onsiteHoursRemote', isHours, '0.5 的整数倍小时数');
  if (typeof local === 'number' && typeof remote === 'number') {
    const onsite = m.node({
      kind: 'onsite',
      cases: [
        { when: '本地', within: hoursText(local) },
        { when: '外地', within: hoursText(remote) },
      ],
      from: 'report',
    }) as YAMLMap;
    const cases = onsite.get('cases', true);
    if (isSeq(cases)) for (const c of cases.items) if (isMap(c)) c.flow = true;
    milestones.push(onsite);
  } else if (typeof local === 'number') {
    milestones.push(
      flow({ kind: 'onsite', label: '到达本地现场', within: hoursText(local), from: 'report' }),
    );
  } else if (typeof remote === 'number') {
    milestones.push(
      flow({ kind: 'onsite', label: '到达外地现场', within: hoursText(remote), from: 'report' }),
    );
  } else if (!pairOf(t, 'onsiteHoursLocal') && !pairOf(t, 'onsiteHoursRemote')) {
    m.unmapped(
      [...base, 'onsiteHoursLocal'],
      at,
      '第 1 版未写到场时间时写“视需要安排现场服务”，第 2 版不写到场时限；如需承诺到场，请在 milestones 中加 { kind: onsite, within: … }',
    );
  }

  const resolve = take('resolveHours', isHours, '0.5 的整数倍小时数');
  const resolveAt = [...at, milestones.length];
  if (typeof resolve === 'number')
    milestones.push(flow({ kind: 'resolve', within: hoursText(resolve), from: 'report' }));
  else if (!pairOf(t, 'resolveHours')) {
    milestones.push(flow({ kind: 'resolve', within: '协商确定' }));
    m.explicit(
      [...base, 'resolveHours'],
      resolveAt,
      '第 1 版未写解决时间时写“解决时限由双方协商确定”，现写为 { kind: resolve, within: 协商确定 }',
    );
  }

  m.explicit(
    base,
    [...at, milestones.length],
    '第 1 版承诺每次故障处理完毕后提交书面故障报告，现写为 { kind: report }',
  );
  milestones.push(flow({ kind: 'report' }));

  const seq = new YAMLSeq();
  seq.items = milestones;
  const first = consumed[0];
  if (first) {
    m.replace(first, 'milestones', seq);
    for (const p of consumed.slice(1)) m.remove(t, p);
  } else m.insert(t, 'tier', 'milestones', seq);
}

function migrateTiers(m: Migrator, root: YAMLMap): void {
  const pair = pairOf(root, 'responseTiers');
  if (!pair) return;
  if (!isSeq(pair.value)) {
    m.invalid(['responseTiers'], m.js(pair.value), '列表');
    return;
  }
  pair.value.items.forEach((t, i) => {
    if (isMap(t)) migrateTier(m, t, i);
    else m.invalid(['responseTiers', i], m.js(t), '字段组');
  });
}

function migrateAfterWarranty(m: Migrator, root: YAMLMap, carry: { lifetime: boolean }): void {
  const old = pairOf(root, 'outOfWarranty');
  if (old && !isMap(old.value)) {
    m.invalid(['outOfWarranty'], m.js(old.value), '字段组');
    return;
  }
  if (old && pairOf(root, 'afterWarranty')) {
    m.unmapped(
      ['outOfWarranty'],
      ['outOfWarranty'],
      '文件同时有 outOfWarranty 和 afterWarranty，无法合并，已原样保留',
    );
    return;
  }
  let a: YAMLMap;
  if (old) {
    m.unknownKeys(old.value as YAMLMap, V1_KEYS.outOfWarranty!, ['outOfWarranty']);
    keyNode(old).value = 'afterWarranty';
    a = old.value as YAMLMap;
  } else {
    const existing = pairOf(root, 'afterWarranty');
    if (existing && !isMap(existing.value)) return;
    a = m.section(root, 'afterWarranty', true)!;
  }
  const v1 = ['outOfWarranty'];
  const base = ['afterWarranty'];
  if (!pairOf(a, 'pricing')) {
    m.insert(a, 'afterWarranty', 'pricing', m.node('preferential'));
    m.explicit(
      [...v1, 'pricing'],
      [...base, 'pricing'],
      '第 1 版默认质保期外按优惠价格收费，现写为 afterWarranty.pricing: preferential',
    );
  }
  if (!pairOf(a, 'freePhoneConsultation')) {
    m.insert(a, 'afterWarranty', 'freePhoneConsultation', m.node(true));
    m.explicit(
      [...v1, 'freePhoneConsultation'],
      [...base, 'freePhoneConsultation'],
      '第 1 版默认质保期外继续免费电话咨询，现写为 afterWarranty.freePhoneConsultation: true',
    );
  }
  const fee = pairOf(a, 'annualFee');
  if (fee && !pairOf(a, 'annualFeeCap')) m.replace(fee, 'annualFeeCap', fee.value as Node);
  if (carry.lifetime && !pairOf(a, 'lifetimeSupport'))
    m.insert(a, 'afterWarranty', 'lifetimeSupport', m.node(true));
}

function migrateSpares(m: Migrator, root: YAMLMap): void {
  const s = m.section(root, 'spares', false);
  if (!s) return;
  const base = ['spares'];
  m.unknownKeys(s, V1_KEYS.spares!, base);
  const years = pairOf(s, 'years');
  if (years) {
    const v = m.js(years.value);
    if (isInt(v, 1, 30) && !pairOf(s, 'period')) m.replace(years, 'period', m.node(`${v}年`));
    else m.invalid([...base, 'years'], v, '1–30 的整数年数');
  }
  const loaner = pairOf(s, 'loaner');
  if (loaner && m.js(loaner.value) === false) m.remove(s, loaner);
}

function migrateEmergency(m: Migrator, root: YAMLMap): void {
  const e = m.section(root, 'emergency', false);
  if (!e) return;
  const base = ['emergency'];
  m.unknownKeys(e, V1_KEYS.emergency!, base);
  const drill = pairOf(e, 'drillIntervalMonths');
  if (drill) {
    const v = m.js(drill.value);
    if (isInt(v, 1, 24) && !pairOf(e, 'drills'))
      m.replace(drill, 'drills', m.node(everyMonthsText(v)));
    else m.invalid([...base, 'drillIntervalMonths'], v, '1–24 的整数月数');
  }
}

function migratePenalties(m: Migrator, root: YAMLMap): void {
  if (pairOf(root, 'penalties') && !m.section(root, 'penalties', false)) {
    m.invalid(['penalties'], m.get(root, 'penalties'), '字段组');
    return;
  }
  const created = !pairOf(root, 'penalties');
  const p = m.section(root, 'penalties', true)!;
  if (!created) m.unknownKeys(p, V1_KEYS.penalties!, ['penalties']);
  if (!pairOf(p, 'ownerMayRepairAndDeduct')) {
    m.insert(p, 'penalties', 'ownerMayRepairAndDeduct', m.node(true));
    m.explicit(
      ['penalties', 'ownerMayRepairAndDeduct'],
      ['penalties', 'ownerMayRepairAndDeduct'],
      '第 1 版默认承诺我方未按时处理时甲方可另请他人修复、费用从合同款中扣除，现写为 ownerMayRepairAndDeduct: true',
    );
  }
}

function migrateExclusions(m: Migrator, root: YAMLMap): void {
  if (pairOf(root, 'exclusions') && !m.section(root, 'exclusions', false)) {
    m.invalid(['exclusions'], m.get(root, 'exclusions'), '字段组');
    return;
  }
  const created = !pairOf(root, 'exclusions');
  const x = m.section(root, 'exclusions', true)!;
  const base = ['exclusions'];
  if (!created) m.unknownKeys(x, V1_KEYS.exclusions!, base);
  if (!pairOf(x, 'standard')) {
    m.insert(x, 'exclusions', 'standard', m.node(V1_DEFAULT_EXCLUSIONS, true));
    m.explicit(
      [...base, 'standard'],
      [...base, 'standard'],
      '第 1 版默认列出的常见不保修情形（超出质保期、使用不当、环境不符、擅自拆修、非标准配件、不可抗力），现写为 exclusions.standard',
    );
  } else {
    // Version 1's “misuse” also excluded an unsuitable environment; version 2 lists it apart.
    const seq = pairOf(x, 'standard')?.value;
    if (isSeq(seq)) {
      const at = seq.items.findIndex((n) => isScalar(n) && n.value === 'misuse');
      const has = seq.items.some((n) => isScalar(n) && n.value === 'environment');
      if (at >= 0 && !has) {
        seq.items.splice(at + 1, 0, new Scalar('environment'));
        m.explicit(
          [...base, 'standard'],
          [...base, 'standard'],
          '第 1 版的“使用不当”也包括“使用环境不符合要求”；第 2 版分列，现加入 environment',
        );
      }
    }
  }
  const standard = m.get(x, 'standard');
  const extra = m.get(x, 'extra');
  const any =
    (Array.isArray(standard) && standard.length > 0) || (Array.isArray(extra) && extra.length > 0);
  if (any && !pairOf(x, 'assistAtCost')) {
    m.insert(x, 'exclusions', 'assistAtCost', m.node(true));
    m.explicit(
      base,
      [...base, 'assistAtCost'],
      '第 1 版承诺不保修情形下仍协助处理、按质保期外标准收费，现写为 assistAtCost: true',
    );
  }
}

function migrateTraining(m: Migrator, root: YAMLMap): void {
  const t = m.section(root, 'training', false);
  if (!t) return;
  const base = ['training'];
  m.unknownKeys(t, V1_KEYS.training!, base);
  const add = (key: string, value: Value, message: string, v1: Path = [...base, key]) => {
    if (pairOf(t, key)) return;
    m.insert(t, 'training', key, m.node(value, Array.isArray(value)));
    m.explicit(v1, [...base, key], message);
  };
  add(
    'materials',
    V1_DEFAULT_MATERIALS,
    '第 1 版默认提供用户操作手册、系统管理员手册和培训课件，现写为 training.materials',
  );
  add(
    'materialsInChinese',
    true,
    '第 1 版培训条款始终承诺培训资料为中文，现写为 materialsInChinese: true',
    base,
  );
  add('freeOfCharge', true, '第 1 版默认承诺免费培训，现写为 freeOfCharge: true');
  add(
    'assessment',
    true,
    '第 1 版培训条款始终承诺每个模块结束后考核并书面反馈，现写为 assessment: true',
    base,
  );
  add(
    'remedialTraining',
    true,
    '第 1 版培训条款始终承诺考核未达标人员免费补训，现写为 remedialTraining: true',
    base,
  );
  add(
    'confirmation',
    true,
    '第 1 版培训条款始终承诺培训方案细化后经甲方书面确认再实施，现写为 confirmation: true',
    base,
  );
}

function migrateDocuments(m: Migrator, root: YAMLMap): void {
  const docs = pairOf(root, 'documents');
  if (!docs || !isSeq(docs.value) || !pairOf(root, 'tender')) return;
  const list = m.js(docs.value);
  if (!Array.isArray(list) || list.includes('deviation-table')) return;
  docs.value.items.push(m.node('deviation-table'));
  m.explicit(
    ['documents'],
    ['documents', list.length],
    '第 1 版写了招标要求文件（tender）时自动加生成偏离表；第 2 版只生成 documents 中列出的文件，现在 documents 中加上 deviation-table',
  );
}

function migrateClauseVersions(m: Migrator, root: YAMLMap): void {
  const pair = pairOf(root, 'clauseVersions');
  if (!pair) return;
  const pins = m.js(pair.value);
  if (pins && typeof pins === 'object' && !Array.isArray(pins)) {
    for (const [id, version] of Object.entries(pins))
      m.unmapped(
        ['clauseVersions', id],
        ['clauseVersions'],
        `条款库已为第 2 版重写，第 1 版的条款版本已停用，已删除指定版本 ${id}: ${shown(version)}；如需指定版本，请用 tenderkit clauses list 查看新版本后重新填写`,
        true,
      );
  } else if (pins !== undefined && pins !== null) {
    m.unmapped(['clauseVersions'], ['clauseVersions'], '条款版本指定无法识别，已删除', true);
  }
  m.remove(root, pair);
}

// ---------------------------------------------------------------- output

/** Whether the source writes `{ a: b }` / `[ a ]` (padded) or `{a: b}` / `[a]`, per bracket kind. */
function flowPadding(text: string): { map: boolean; seq: boolean } {
  const counts = { map: [0, 0], seq: [0, 0] };
  const toks = [...new Lexer().lex(text)].filter((t) => !['\x02', '\x1f', '\x18'].includes(t));
  toks.forEach((t, i) => {
    const type = CST.tokenType(t);
    if (type !== 'flow-map-start' && type !== 'flow-seq-start') return;
    const next = CST.tokenType(toks[i + 1] ?? '');
    if (next === 'newline' || next === 'flow-map-end' || next === 'flow-seq-end') return;
    const c = counts[type === 'flow-map-start' ? 'map' : 'seq'];
    c[next === 'space' ? 0 : 1] = (c[next === 'space' ? 0 : 1] ?? 0) + 1;
  });
  const pick = (c: number[], dflt: boolean) => (c[0] === c[1] ? dflt : c[0]! > c[1]!);
  // Defaults are Prettier's: `{ a: b }` and `[a, b]`.
  return { map: pick(counts.map, true), seq: pick(counts.seq, false) };
}

/** Removes the space just inside `[ … ]` and/or `{ … }` on one line (text printed padded). */
function unpad(text: string, style: { map: boolean; seq: boolean }): string {
  if (style.map && style.seq) return text;
  const toks = [...new Lexer().lex(text)].filter((t) => !['\x02', '\x1f', '\x18'].includes(t));
  const types = toks.map((t) => CST.tokenType(t));
  const strip = (i: number) =>
    (types[i] === 'flow-seq-start' || types[i] === 'flow-seq-end' ? !style.seq : false) ||
    (types[i] === 'flow-map-start' || types[i] === 'flow-map-end' ? !style.map : false);
  return toks
    .filter((t, i) => {
      if (types[i] !== 'space') return true;
      const opens = strip(i - 1) && /start$/.test(types[i - 1] ?? '');
      const closes = strip(i + 1) && /end$/.test(types[i + 1] ?? '') && types[i - 1] !== 'newline';
      return !(opens || closes);
    })
    .join('');
}

/** Indentation the source uses: spaces per level, and whether `- ` items are indented under their key. */
function indentation(
  doc: Document.Parsed,
  lc: LineCounter,
): { indent: number; indentSeq: boolean } {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const col = (n: Node | unknown) => {
    const r = (n as Node | undefined)?.range;
    return r ? lc.linePos(r[0]).col : undefined;
  };
  const walk = (node: unknown, depth: number): void => {
    if (depth > 50 || (indent !== undefined && indentSeq !== undefined)) return;
    if (isMap(node) && !node.flow) {
      for (const p of node.items) {
        const kc = col(p.key);
        const v = p.value;
        if (kc !== undefined && isMap(v) && !v.flow && indent === undefined) {
          const vc = col(v.items[0]?.key);
          if (vc !== undefined && vc > kc) indent = vc - kc;
        }
        if (kc !== undefined && isSeq(v) && !v.flow && indentSeq === undefined) {
          const sc = col(v);
          if (sc !== undefined) indentSeq = sc > kc;
        }
        walk(v, depth + 1);
      }
    } else if (isSeq(node) && !node.flow) for (const item of node.items) walk(item, depth + 1);
  };
  walk(doc.contents, 0);
  return { indent: indent ?? 2, indentSeq: indentSeq ?? true };
}

// ---------------------------------------------------------------- entry point

function notV1(file: string, at: { line?: number; col?: number }, message: string): TenderKitError {
  return new TenderKitError([
    diagnostic('NotV1Bid', message, { location: { file, line: at.line ?? 1, col: at.col ?? 1 } }),
  ]);
}

/** Version-2 only markers, to tell a v2 file missing its `version` key from a v1 file. */
export function looksV2(data: Record<string, unknown>): boolean {
  const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const tiers = Array.isArray(data.responseTiers) ? data.responseTiers : [];
  const v2 =
    'afterWarranty' in data ||
    'extraCommitments' in data ||
    'components' in obj(data.warranty) ||
    'hours' in obj(data.service) ||
    tiers.some((t) => 'milestones' in obj(t) || 'negotiable' in obj(t));
  const v1 =
    'outOfWarranty' in data ||
    'softwareMonths' in obj(data.warranty) ||
    'coverage' in obj(data.service) ||
    tiers.some((t) => 'responseMinutes' in obj(t));
  return v2 && !v1;
}

/**
 * Rewrites version-1 bid text as version 2. Throws TenderKitError (located diagnostics) when the
 * text is not valid YAML or not a version-1 bid; returns the input unchanged (`upToDate`) when it
 * already is version 2.
 */
/**
 * Sentences the version-1 clauses always printed that the version-2 clauses no longer write, or
 * now write differently: listed so the team can restate them (e.g. as extraCommitments).
 */
function wordingNotes(m: Migrator, root: YAMLMap, v1: Record<string, unknown>): void {
  const note = (path: Path, message: string) =>
    m.notes.push({ list: 'wording', v1: path, at: path, message });
  const section = (k: string) => (v1[k] ?? {}) as Record<string, unknown>;
  note(
    ['outOfWarranty'],
    '第 1 版写“维护内容和费用由双方另行签订维护合同约定”，第 2 版不再写；如需承诺，请写入 extraCommitments',
  );
  note(
    ['service', 'escalation'],
    '第 1 版写“逐级升级处理，直至故障排除”，第 2 版只写升级顺序；如需承诺，请写入 extraCommitments',
  );
  if (section('service').remoteNeedsConsent !== false)
    note(
      ['service', 'remoteNeedsConsent'],
      '第 1 版写远程支持“操作全程接受贵方监督，不复制、不带走贵方任何数据”，第 2 版只写“须事先取得贵方许可”；如需承诺，请写入 extraCommitments',
    );
  if (section('penalties').repeatVisitLimit !== undefined)
    note(
      ['penalties', 'repeatVisitLimit'],
      '含义改变：第 1 版写“同一故障经N次上门处理仍未彻底解决的，我方负责免费更换相关软硬件……直至贵方满意”，第 2 版写“同一故障，我方保证在N次服务以内彻底解决”；如需原承诺，请写入 extraCommitments',
    );
  if (section('spares').loaner === true)
    note(
      ['spares', 'loaner'],
      '第 1 版写“设备送修期间，我方免费提供同等性能的备用设备”，第 2 版写“设备送修期间，我方提供备用设备”，只在 spares.loanerFree 为 true 时写“免费”；如需原承诺，请加 loanerFree: true，“同等性能”请写入 extraCommitments',
    );
  if (section('service').visitFirstYearMonths !== undefined)
    note(
      ['service', 'visitFirstYearMonths'],
      '第 1 版写“系统投入使用后第一年内”回访，第 2 版只在写明 service.visitsFrom 时写首年从哪天算起（不写时只写“首年内”）；如需原承诺，请加 visitsFrom: go-live（系统正式上线运行之日）',
    );
  if (section('warranty').overallMonths !== undefined)
    note(
      ['warranty', 'overallMonths'],
      '第 1 版只用整体质保期做检查，不写入文件；第 2 版写“本项目整体质保期为……，以上各部分的质保期均不短于整体质保期”，不需要时请删除 warranty.overall',
    );
  void root;
}

export function migrateV1ToV2(source: string, file = 'bid.yaml'): Migration {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const parsed = parseYamlText(text, file);
  if (!parsed.ok) throw new TenderKitError(sortDiagnostics(parsed.diagnostics));
  const src = parsed.value;
  const data = src.data;
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw notV1(file, src.locate([]), '文件内容不是“字段: 取值”形式的投标参数');
  const rec = data as Record<string, unknown>;
  if (rec.version === SCHEMA_VERSION)
    return { text: source, explicit: [], unmapped: [], wording: [], upToDate: true };
  if ('version' in rec && rec.version !== 1)
    throw new TenderKitError([
      diagnostic('SchemaVersionUnknown', `参数格式版本写的是“${shown(rec.version)}”`, {
        location: src.locate(['version']),
        path: 'version',
        hint: '本工具只转换第 1 版文件（没有 version 字段或写 version: 1）；第 2 版文件请写 version: 2。',
      }),
    ]);
  if (!V1_TOP.some((k) => k in rec))
    throw notV1(
      file,
      src.locate([]),
      '文件中没有投标参数文件的字段（如 tenderee、warranty、responseTiers），不像第 1 版投标参数文件',
    );
  if (!('version' in rec) && looksV2(rec))
    throw notV1(
      file,
      src.locate([]),
      '文件没有 version 字段，但内容已是第 2 版格式（如 warranty.components、responseTiers[].milestones）；请在文件开头加上 version: 2，不必转换',
    );

  const lc = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lc,
    prettyErrors: false,
    uniqueKeys: true,
    version: '1.2',
    schema: 'core',
    strict: true,
  });
  const root = doc.contents;
  if (!isMap(root)) throw notV1(file, { line: 1 }, '文件内容不是“字段: 取值”形式的投标参数');
  const m = new Migrator(doc);
  const carry = { lifetime: false };

  m.unknownKeys(root, [...V1_TOP, 'version'], []);
  migrateDocuments(m, root);
  migrateWarranty(m, root, carry);
  migrateStaff(m, root);
  migrateService(m, root);
  migrateTiers(m, root);
  migrateAfterWarranty(m, root, carry);
  migrateSpares(m, root);
  migrateEmergency(m, root);
  migratePenalties(m, root);
  migrateExclusions(m, root);
  migrateTraining(m, root);
  migrateClauseVersions(m, root);
  wordingNotes(m, root, rec);

  // `version: 2` first, under the file's opening comment.
  const old = pairOf(root, 'version');
  if (old) m.remove(root, old);
  const version = new Pair(new Scalar('version'), new Scalar(SCHEMA_VERSION));
  const first = root.items[0];
  if (first) {
    const k = keyNode(first);
    (version.key as Scalar).commentBefore = k.commentBefore;
    k.commentBefore = undefined;
  }
  root.items.unshift(version as (typeof root.items)[number]);

  const { indent, indentSeq } = indentation(doc, lc);
  let out = unpad(
    doc.toString({ lineWidth: 0, flowCollectionPadding: true, indent, indentSeq }),
    flowPadding(text),
  );
  if (text.includes('\r\n')) out = out.replace(/\r?\n/g, '\r\n');

  const after = parseYamlText(out, file);
  const lineIn = (y: LoadedYaml | undefined, path: Path): number =>
    y?.locate(path as FieldPath, { key: true }).line ?? 1;
  const outYaml = after.ok ? after.value : undefined;
  const notes = (list: Pending['list']): Note[] =>
    m.notes
      .filter((n) => n.list === list)
      .map((n) => {
        const sourceLine = lineIn(src, n.v1);
        return {
          path: formatPath(n.v1 as FieldPath) || '（文件）',
          line: lineIn(outYaml, n.at),
          sourceLine,
          message: n.dropped ? `${n.message}（原文件第 ${sourceLine} 行）` : n.message,
        };
      })
      .sort((a, b) => a.line - b.line);
  return {
    text: out,
    explicit: notes('explicit'),
    unmapped: notes('unmapped'),
    wording: notes('wording'),
    upToDate: false,
  };
}
