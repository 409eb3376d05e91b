// Live previews: a bid input checked as a download will check it and rendered to HTML (form-check.ts).
// This runs in the render workers (render-worker.ts); the server queues and caches previews in
// preview-queue.ts.
import type { Deviation } from '../checks/deviations.js';
import type { HouseStyle } from '../ir/types.js';
import type { Library } from '../library/library.js';
import type { TenderFile } from '../schema/tender.js';
import type { Workspace } from '../workspace/workspace.js';
import { checkForm } from './form-check.js';
import type { FieldErrors } from './form-values.js';

export interface Preview {
  readonly errors: FieldErrors;
  readonly warnings: FieldErrors;
  /** Problems found while rendering that name no field, as text (kept empty: all are placed). */
  readonly renderProblems: string[];
  readonly docs: { id: string; title: string; html: string }[];
  /** Paths of required fields still empty (the form shows these once the user asks). */
  readonly missing: string[];
  /** The tender's requirements against the bid, when the bid has a tender file. */
  readonly deviations: readonly Deviation[];
  /** Values the company profile gives, by field path (the form shows them as hints). */
  readonly fromProfile?: Readonly<Record<string, string>>;
}

/**
 * What a preview is made of, sent to a worker as one value (so one cache key): the bid as the form
 * has it, its tender's requirements, and the stored bid's file (its `company:` is resolved from
 * there, as the build resolves it).
 */
export interface PreviewInput {
  readonly previewOf: 'bid';
  readonly bid: unknown;
  readonly tender?: TenderFile;
  readonly file?: string;
  /** The workspace's files as they are now (profile.ts workspaceStamp): part of the cache key. */
  readonly stamp?: string;
}

export const previewInput = (
  bid: unknown,
  tender?: TenderFile,
  file?: string,
  stamp?: string,
): PreviewInput => ({
  previewOf: 'bid',
  bid,
  ...(tender ? { tender } : {}),
  ...(file ? { file } : {}),
  ...(stamp ? { stamp } : {}),
});

const isPreviewInput = (v: unknown): v is PreviewInput => {
  if (v === null || typeof v !== 'object') return false;
  const w = v as Partial<PreviewInput>;
  return (
    w.previewOf === 'bid' &&
    (w.tender === undefined || (typeof w.tender === 'object' && w.tender !== null)) &&
    (w.file === undefined || typeof w.file === 'string')
  );
};

/** Where the worker renders: the workspace's library, house style and company profile. */
export interface PreviewContext {
  readonly library?: Library;
  readonly style?: HouseStyle;
  readonly workspace?: Workspace;
}

/** Checks and renders `input` on the calling thread (the server calls it in a worker). */
export function renderPreview(input: unknown, ctx: PreviewContext = {}): Preview {
  const wrapped = isPreviewInput(input) ? input : undefined;
  const c = checkForm(wrapped ? wrapped.bid : input, {
    ...(wrapped?.tender ? { tender: wrapped.tender } : {}),
    ...(ctx.library ? { library: ctx.library } : {}),
    ...(ctx.style ? { style: ctx.style } : {}),
    profile: {
      ...(ctx.workspace ? { workspace: ctx.workspace } : {}),
      ...(wrapped?.file ? { file: wrapped.file } : {}),
    },
  });
  return {
    errors: { byPath: c.errors, count: c.errorCount },
    warnings: { byPath: c.warnings, count: c.warningCount },
    renderProblems: [],
    docs: c.docs,
    missing: c.missing,
    deviations: c.deviations,
    fromProfile: c.fromProfile,
  };
}

/** The same as renderPreview (kept for callers outside the server). */
export const preview = renderPreview;
