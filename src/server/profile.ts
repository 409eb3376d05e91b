// The company profile in the web app: a stored bid is checked, previewed and listed with the
// profile merged in, exactly as `tenderkit build` merges it (src/workspace/merge.ts): the
// workspace's default company.yaml, or the file the bid's `company:` names relative to the stored
// bid. The merge works on a copy: what the form shows and saves is the bid's own data only, so a
// save never writes the profile's values into the bid.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { LoadedYaml } from '../load/yaml-file.js';
import { formatPath } from '../load/zod-issues.js';
import {
  mergeProfile,
  profileFor,
  readProfile,
  type LoadedProfile,
  type ProfileResult,
} from '../workspace/merge.js';
import { styleFiles } from '../workspace/style.js';
import type { Workspace } from '../workspace/workspace.js';

export interface ProfileMerge {
  /** The bid's data with the profile merged in (the bid's own data when there is no profile). */
  readonly data: unknown;
  /** Problems of the profile (located in company.yaml) or of the bid's references to it. */
  readonly problems: readonly Diagnostic[];
  /** The profile used, if any. */
  readonly profile?: LoadedProfile;
  /** Paths whose value came from the profile (`bidder.name`), with that value as data. */
  readonly fromProfile: ReadonlyMap<string, unknown>;
}

export interface ProfileOptions {
  /** The workspace the server runs in: its default company profile. */
  readonly workspace?: Workspace;
  /** The stored bid's file: `company:` is resolved relative to it, as the CLI does. */
  readonly file?: string;
}

const FORM: LoadedYaml = {
  file: '表单',
  sha256: '',
  data: undefined,
  locate: () => ({ file: '表单' }),
};

/** Profiles read, by path, while their file keeps its size and modification time. */
const cache = new Map<string, { stamp: string; result: ProfileResult }>();

function stampOf(file: string): string {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return '-';
  }
}

/** The workspace's default profile, read again only when its file changes (the bid list reads it often). */
function cachedProfile(file: string): ProfileResult {
  const key = path.resolve(file);
  const stamp = stampOf(key);
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) return hit.result;
  const result = readProfile(key, 'workspace');
  cache.set(key, { stamp, result });
  return result;
}

/** `input` (a bid as the form or the file has it) with the company profile merged in. */
export function mergeCompany(input: unknown, opts: ProfileOptions): ProfileMerge {
  const source: LoadedYaml = { ...FORM, data: input };
  const ref =
    input !== null && typeof input === 'object' && Object.hasOwn(input, 'company')
      ? (input as { company?: unknown }).company
      : undefined;
  const p =
    ref === undefined && opts.workspace?.companyFile
      ? cachedProfile(opts.workspace.companyFile)
      : profileFor(source, opts.file, opts.workspace);
  if (!p.ok) return { data: input, problems: p.diagnostics, fromProfile: new Map() };
  // Without a profile too: a bid asking for standard channels or roster picks hears about it.
  const merged = mergeProfile(source, p.profile);
  const fromProfile = new Map<string, unknown>();
  const leaves = (segs: readonly (string | number)[], v: unknown): void => {
    if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v))
        leaves([...segs, Array.isArray(v) ? Number(k) : k], x);
    else fromProfile.set(formatPath(segs), v);
  };
  for (const o of merged.origins)
    if (o.from === 'company') leaves(o.merged, valueIn(merged.data, o.merged));
  return {
    data: merged.data,
    problems: merged.problems,
    ...(p.profile ? { profile: p.profile } : {}),
    fromProfile,
  };
}

function valueIn(data: unknown, segs: readonly (string | number)[]): unknown {
  let cur = data;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, s)) return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

/**
 * What the workspace's files look like on disk (settings, company profile, style files, library):
 * part of a preview's cache key, so an approved clause, a profile or a style changed meanwhile is
 * never answered from the cache. A few dozen `stat` calls (well under a millisecond).
 */
export function workspaceStamp(ws: Workspace | undefined): string {
  if (!ws) return '';
  const files = [ws.settingsFile, ...(ws.companyFile ? [ws.companyFile] : [])];
  if (ws.style) files.push(...styleFiles(ws.style));
  for (const sub of ['clauses', 'templates']) {
    const dir = path.join(ws.libraryRoot, sub);
    try {
      for (const f of readdirSync(dir).sort())
        if (f.endsWith('.yaml')) files.push(path.join(dir, f));
    } catch {
      files.push(dir);
    }
  }
  return createHash('sha256')
    .update(files.map((f) => `${f}:${stampOf(f)}`).join('\n'))
    .digest('hex');
}
