// Loads a bid file and the tender file it names, and runs every check that needs no rendering.
import type { Deviation } from './checks/deviations.js';
import {
  diagnostic,
  TenderKitError,
  type Diagnostic,
  type Location,
} from './diagnostics/diagnostic.js';
import { resolveVersion, type Library } from './library/library.js';
import type { RenderExtra } from './render/document.js';
import type { BidParams } from './schema/bid.js';
import { loadBidFile, type LoadedBid, type ValueOrigin } from './load/bid.js';
import { loadTenderFor } from './load/tender.js';
import { formatPath, parseFieldPath } from './load/zod-issues.js';
import type { FieldPath } from './load/yaml-file.js';
import type { LoadedProfile } from './workspace/merge.js';
import { discoverWorkspace, workspaceLibrary, type Workspace } from './workspace/workspace.js';

export interface PreparedBid {
  /** Adds the bid file's line:col to problems found later (rendering, PDF fonts) that name a field. */
  readonly locate: (d: Diagnostic) => Diagnostic;
  /** Where a field path (`responseTiers[0].milestones[1]`) stands in the bid file. */
  readonly locatePath: (path: string) => Location;
  /** The bid file as given, and the SHA-256 of its bytes. */
  readonly source: { readonly file: string; readonly sha256: string };
  /** The tender file it names, if any. */
  readonly tenderSource?: { readonly file: string; readonly sha256: string };
  /** The company profile merged into the bid, if any. */
  readonly profile?: LoadedProfile;
  /** The workspace the bid was loaded in, if any. */
  readonly workspace?: Workspace;
  /** Whether a field's value came from the bid file or the company profile, and where. */
  readonly originOf: (path: string) => ValueOrigin;
  readonly params: BidParams;
  readonly extra: RenderExtra;
  readonly deviations: readonly Deviation[];
}

/**
 * Loads the bid and its tender file and runs every check before rendering. Warnings go to
 * `warn`; errors are thrown together.
 */
export interface PrepareOptions {
  /** Allow draft clause versions (`--drafts`). */
  readonly allowDrafts?: boolean;
  /** The clause library (the workspace's own, or the built-in one when absent). */
  readonly library?: Library;
  /**
   * The workspace: its default company profile and the folder `company:` must stay in. Undefined:
   * the one found by walking up from the bid file; null: none (the built-in library, no profile).
   */
  readonly workspace?: Workspace | null;
}

export function prepareBid(
  file: string,
  warn: (d: Diagnostic) => void,
  opts: PrepareOptions = {},
): PreparedBid {
  const workspace =
    opts.workspace === undefined
      ? discoverWorkspace({ from: file })
      : (opts.workspace ?? undefined);
  const r = loadBidFile(file, file, { workspace });
  if (!r.ok) throw new TenderKitError(r.diagnostics);
  r.bid.warnings.forEach(warn);
  const pins = checkPins(r.bid, opts.library, workspace, opts.allowDrafts);
  if (pins.length) throw new TenderKitError(pins);
  const t = loadTenderFor(r.bid, file);
  if (!t.ok) throw new TenderKitError(t.diagnostics);
  const found = t.check?.diagnostics ?? [];
  const errors = found.filter((d) => d.severity === 'error');
  if (errors.length) throw new TenderKitError(errors);
  found.forEach(warn);
  const deviations = t.check?.deviations ?? [];
  const src = r.bid.source;
  const tender = t.check?.source;
  /**
   * A deviation's requirement, item number and required value are the tender file's words: a
   * problem in them is located there (`requirements[7].text` of highway-tender.yaml), not in the
   * bid, where no such field exists.
   */
  const inTender = (segs: FieldPath): FieldPath | undefined => {
    if (!tender || segs[0] !== 'deviations' || typeof segs[1] !== 'number') return undefined;
    const field = { requirement: 'text', item: 'item', required: 'condition' }[String(segs[2])];
    return field ? ['requirements', segs[1], field] : undefined;
  };
  const locate = (d: Diagnostic): Diagnostic => {
    if (d.location || !d.path) return d;
    const segs = parseFieldPath(d.path);
    const there = inTender(segs);
    return there && tender
      ? { ...d, path: formatPath(there), location: tender.locate(there) }
      : { ...d, location: src.locate(segs) };
  };
  return {
    locate,
    locatePath: (p) => src.locate(parseFieldPath(p)),
    source: { file, sha256: r.bid.source.sha256 },
    ...(t.check
      ? { tenderSource: { file: t.check.source.file, sha256: t.check.source.sha256 } }
      : {}),
    ...(r.bid.profile ? { profile: r.bid.profile } : {}),
    ...(workspace ? { workspace } : {}),
    originOf: r.bid.originOf,
    params: r.bid.params,
    extra: { deviations, allowDrafts: opts.allowDrafts },
    deviations,
  };
}

/** Every pinned clause version exists, is not retired, and is a draft only when drafts are allowed. */
function checkPins(
  bid: LoadedBid,
  library: Library | undefined,
  workspace: Workspace | undefined,
  allowDrafts: boolean | undefined,
): Diagnostic[] {
  const pins = Object.entries(bid.params.clauseVersions);
  if (!pins.length) return [];
  const lib = library ?? workspaceLibrary(workspace);
  return pins.flatMap(([id, version]) => {
    const where = {
      location: bid.source.locate(['clauseVersions', id]),
      path: `clauseVersions.${id}`,
    };
    const clause = lib.clauses.get(id);
    if (!clause) return [diagnostic('ClauseNotFound', `没有编号为“${id}”的条款`, where)];
    const r = resolveVersion(clause, { pins: { [id]: version }, allowDrafts });
    return r.ok ? [] : [diagnostic(r.problem, r.message, where)];
  });
}

/** Runs `fn`, adding bid-file locations to the problems it throws. */
export async function locatedIn<T>(bid: PreparedBid, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TenderKitError) throw new TenderKitError(e.diagnostics.map(bid.locate));
    throw e;
  }
}
