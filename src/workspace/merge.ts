// Merging the company profile into a bid, before the bid is validated.
//
// Rules (README “For a company”):
// - Facts merge by default: `bidder.*` and the default signer (`signature.signer`,
//   `signature.signerTitle`). Objects merge field by field, the bid winning; a list is taken whole
//   (never concatenated).
// - Commitments never come from the profile unless the bid asks: `service.standardChannels: true`
//   takes the profile's `service.channels` (the bid then lists no channels of its own).
// - The roster pool is only a pool: `staff.rosterFrom: [张伟, li-na]` picks people by name or id;
//   they come first in `staff.roster`, followed by the bid's own roster entries.
//
// Every merged value keeps its origin (the bid or company.yaml, and the path there), so a mistake
// in a value that came from the profile is located in company.yaml, and `explain` says where each
// value came from.
import path from 'node:path';
import {
  diagnostic,
  sortDiagnostics,
  type Diagnostic,
  type Location,
} from '../diagnostics/diagnostic.js';
import { readYamlFile, type FieldPath, type LoadedYaml } from '../load/yaml-file.js';
import { formatPath, labelAt, valueAt, zodIssuesToDiagnostics } from '../load/zod-issues.js';
import { bidSchema } from '../schema/bid.js';
import { companyProfileSchema } from './company.js';
import { resolveInside, shownPath, type Workspace } from './workspace.js';

/** A loaded company profile: its file, bytes' hash, data (raw, as written) and positions. */
export interface LoadedProfile {
  /** Absolute path of the file read (symbolic links resolved). */
  readonly path: string;
  /** How it is shown in messages (relative to the current folder). */
  readonly file: string;
  readonly sha256: string;
  readonly source: LoadedYaml;
  /** Who chose it: the bid's `company:` or the workspace default. */
  readonly chosenBy: 'bid' | 'workspace';
}

export type ProfileResult =
  { ok: true; profile: LoadedProfile | undefined } | { ok: false; diagnostics: Diagnostic[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads and checks company.yaml. Profile mistakes are located in it; the profile is checked whole
 * (an entry no bid uses yet is still the company's mistake).
 */
export function readProfile(file: string, chosenBy: 'bid' | 'workspace'): ProfileResult {
  const shown = shownPath(file);
  const y = readYamlFile(file, shown);
  if (!y.ok) return { ok: false, diagnostics: y.diagnostics };
  const r = companyProfileSchema.safeParse(y.value.data ?? {});
  if (!r.success)
    return {
      ok: false,
      diagnostics: sortDiagnostics(
        zodIssuesToDiagnostics(r.error.issues, companyProfileSchema, y.value),
      ),
    };
  return {
    ok: true,
    profile: { path: file, file: shown, sha256: y.value.sha256, source: y.value, chosenBy },
  };
}

/**
 * The profile a bid uses: the file its `company:` names (relative to the bid file, inside the
 * workspace — or, without one, inside the bid's folder — after following symbolic links), else the
 * workspace's default, else none.
 */
export function profileFor(
  bid: LoadedYaml,
  bidPath: string | undefined,
  ws: Workspace | undefined,
): ProfileResult {
  const data = bid.data;
  const ref = isObject(data) ? data.company : undefined;
  if (typeof ref === 'string' && /\.ya?ml$/i.test(ref) && !path.isAbsolute(ref)) {
    const where = {
      location: bid.locate(['company']),
      path: 'company',
      label: labelAt(bidSchema, ['company']),
    };
    if (bidPath === undefined)
      return {
        ok: false,
        diagnostics: [
          diagnostic('CompanyFileInvalid', `这份投标不是文件，不能用 company 指定“${ref}”`, {
            ...where,
            hint: '请删除 company 字段：使用工作区的默认公司资料。',
          }),
        ],
      };
    const base = path.dirname(path.resolve(bidPath));
    const root = ws?.root ?? base;
    const r = resolveInside(root, base, ref);
    if (!r.ok) {
      const inWs = ws ? '工作区（tenderkit.yaml 所在文件夹）' : '投标参数文件所在的文件夹';
      return {
        ok: false,
        diagnostics: [
          diagnostic(
            'CompanyFileInvalid',
            'missing' in r
              ? `找不到公司资料文件“${ref}”（${shownPath(path.resolve(base, ref))}）`
              : `公司资料文件“${ref}”不在${inWs}内（${path.resolve(base, ref) === r.outside ? '' : '它是一个链接，'}实际位于“${r.outside}”）`,
            where,
          ),
        ],
      };
    }
    return readProfile(r.file, 'bid');
  }
  // A `company` value of the wrong kind is left for the schema to report.
  if (ref !== undefined) return { ok: true, profile: undefined };
  if (ws?.companyFile) return readProfile(ws.companyFile, 'workspace');
  return { ok: true, profile: undefined };
}

/** Where a merged value came from: a path in the bid file or in company.yaml. */
export interface Origin {
  readonly merged: FieldPath;
  readonly from: 'bid' | 'company';
  readonly path: FieldPath;
}

export interface Merged {
  /** The bid's data with the profile's values merged in. */
  readonly data: unknown;
  /** Merged paths whose values came from elsewhere than the same path in the bid. */
  readonly origins: readonly Origin[];
  /** References the profile cannot satisfy (unknown roster names…), located in the bid. */
  readonly problems: readonly Diagnostic[];
}

const clone = <T>(v: T): T => structuredClone(v);

/** Merges `profile` into a copy of the bid's data (see the rules at the top of this file). */
export function mergeProfile(bid: LoadedYaml, profile: LoadedProfile | undefined): Merged {
  const origins: Origin[] = [];
  const problems: Diagnostic[] = [];
  if (!isObject(bid.data)) return { data: bid.data, origins, problems };
  const data = clone(bid.data);
  const prof = (profile?.source.data ?? {}) as Record<string, unknown>;
  const at = (p: FieldPath) => ({
    location: bid.locate(p),
    path: formatPath(p),
    label: labelAt(bidSchema, p),
  });

  // Facts: objects merge field by field, the bid winning.
  const mergeInto = (
    target: Record<string, unknown>,
    key: string,
    value: unknown,
    p: FieldPath,
  ) => {
    const mine = target[key];
    if (mine === undefined) {
      target[key] = clone(value);
      origins.push({ merged: p, from: 'company', path: p });
    } else if (isObject(mine) && isObject(value)) {
      for (const [k, v] of Object.entries(value)) mergeInto(mine, k, v, [...p, k]);
    }
  };
  if (profile) {
    if (prof.bidder !== undefined) mergeInto(data, 'bidder', prof.bidder, ['bidder']);
    if (prof.signature !== undefined) mergeInto(data, 'signature', prof.signature, ['signature']);
  }

  // Service channels: a commitment, taken only when the bid says so.
  const service = data.service;
  if (isObject(service) && service.standardChannels === true) {
    const channels = isObject(prof.service) ? prof.service.channels : undefined;
    const where = at(['service', 'standardChannels']);
    if (!profile)
      problems.push(
        diagnostic(
          'CompanyValueMissing',
          '写了使用公司标准服务渠道，但这份投标没有公司资料（不在工作区内，工作区也没有设置默认公司资料）',
          where,
        ),
      );
    else if (channels === undefined)
      problems.push(
        diagnostic(
          'CompanyValueMissing',
          `写了使用公司标准服务渠道，但公司资料 ${profile.file} 中没有 service.channels`,
          where,
        ),
      );
    else if (service.channels !== undefined)
      problems.push(
        diagnostic('InvalidValue', '同时写了服务渠道和“使用公司标准服务渠道”：二者只能选一', {
          ...where,
          hint: '删除 standardChannels 使用本投标自己的渠道，或删除 channels 使用公司标准渠道。',
        }),
      );
    else {
      service.channels = clone(channels);
      origins.push({
        merged: ['service', 'channels'],
        from: 'company',
        path: ['service', 'channels'],
      });
    }
  }

  // Roster: people picked from the pool by name or id, before the bid's own entries.
  const staff = data.staff;
  const picks = isObject(staff) ? staff.rosterFrom : undefined;
  if (isObject(staff) && Array.isArray(picks)) {
    const pool = Array.isArray(prof.roster) ? (prof.roster as Record<string, unknown>[]) : [];
    const own = staff.roster;
    if (!profile) {
      problems.push(
        diagnostic(
          'CompanyValueMissing',
          '写了从公司人员库选人，但这份投标没有公司资料（不在工作区内，工作区也没有设置默认公司资料）',
          at(['staff', 'rosterFrom']),
        ),
      );
    } else if (own === undefined || Array.isArray(own)) {
      const chosen: { person: Record<string, unknown>; index: number }[] = [];
      const seen = new Map<number, number>();
      picks.forEach((ref, i) => {
        if (typeof ref !== 'string') return; // the schema reports it
        const key = ref.trim();
        const byId = pool.findIndex((p) => p.id === key);
        const byName = pool.flatMap((p, k) => (p.name === key ? [k] : []));
        const where = at(['staff', 'rosterFrom', i]);
        let index: number;
        if (byId >= 0) index = byId;
        else if (byName.length === 1) index = byName[0]!;
        else if (byName.length > 1) {
          const ids = byName.map((k) => pool[k]!.id).filter((x) => typeof x === 'string');
          problems.push(
            diagnostic(
              'CompanyValueMissing',
              `公司人员库中有 ${byName.length} 人名为“${key}”，无法确定是哪一位`,
              {
                ...where,
                hint: ids.length
                  ? `请改写人员编号（${ids.join('、')}）。`
                  : `请在 ${profile.file} 中为同名人员加上 id，再按编号引用。`,
              },
            ),
          );
          return;
        } else {
          const names = pool.flatMap((p) =>
            [p.name, p.id].filter((x): x is string => typeof x === 'string'),
          );
          const guess = closest(key, names);
          problems.push(
            diagnostic('CompanyValueMissing', `公司人员库（${profile.file}）中没有“${key}”`, {
              ...where,
              hint: pool.length
                ? `${guess ? `是否应为“${guess}”？` : ''}请写人员库中的姓名或编号，人员库中有：${pool
                    .slice(0, 12)
                    .map((p) => String(p.name))
                    .join('、')}${pool.length > 12 ? '…' : ''}。`
                : `${profile.file} 的 roster 中还没有人员：请先在那里添加。`,
            }),
          );
          return;
        }
        if (seen.has(index)) {
          problems.push(
            diagnostic(
              'InvalidValue',
              `“${key}”与第 ${seen.get(index)! + 1} 项是同一人，重复选取`,
              {
                ...where,
                hint: '每人只需写一次：请删除重复的一项。',
              },
            ),
          );
          return;
        }
        seen.set(index, i);
        chosen.push({ person: pool[index]!, index });
      });
      const mine = (own as unknown[] | undefined) ?? [];
      staff.roster = [
        ...chosen.map(({ person }) => {
          const { id: _id, ...entry } = person;
          return clone(entry);
        }),
        ...mine,
      ];
      chosen.forEach(({ index }, j) =>
        origins.push({ merged: ['staff', 'roster', j], from: 'company', path: ['roster', index] }),
      );
      mine.forEach((_, j) =>
        origins.push({
          merged: ['staff', 'roster', chosen.length + j],
          from: 'bid',
          path: ['staff', 'roster', j],
        }),
      );
      // The list as a whole is where the bid chose it.
      origins.push({
        merged: ['staff', 'roster'],
        from: 'bid',
        path: own === undefined ? ['staff', 'rosterFrom'] : ['staff', 'roster'],
      });
    }
  }
  return { data, origins, problems };
}

/** The origin of a merged path: the longest recorded prefix, else the same path in the bid. */
export function originOf(
  origins: readonly Origin[],
  p: FieldPath,
): { from: 'bid' | 'company'; path: FieldPath } {
  let best: Origin | undefined;
  for (const o of origins) {
    if (o.merged.length > p.length || (best && o.merged.length <= best.merged.length)) continue;
    if (o.merged.every((s, i) => s === p[i])) best = o;
  }
  return best
    ? { from: best.from, path: [...best.path, ...p.slice(best.merged.length)] }
    : { from: 'bid', path: p };
}

/**
 * The merged bid as one source: the bid file's name and hash, the merged data, and positions that
 * point into company.yaml for values that came from there.
 */
export function mergedSource(
  bid: LoadedYaml,
  profile: LoadedProfile | undefined,
  merged: Merged,
): LoadedYaml {
  if (!profile && !merged.origins.length) return bid;
  return {
    file: bid.file,
    sha256: bid.sha256,
    data: merged.data,
    locate(p, opts): Location {
      const o = originOf(merged.origins, p);
      // A field neither file has belongs in the bid: that is where to add it.
      return o.from === 'company' && profile && valueAt(profile.source.data, o.path) !== undefined
        ? profile.source.locate(o.path, opts)
        : bid.locate(o.from === 'company' ? p : o.path, opts);
    },
  };
}

function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = distance(word, o);
    if (d < bestD) [best, bestD] = [o, d];
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  const row = Array.from({ length: B.length + 1 }, (_, i) => i);
  for (let i = 1; i <= A.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= B.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (A[i - 1] === B[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[B.length]!;
}
