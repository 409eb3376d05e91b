// Live previews: a bid input checked as a download will check it and rendered to HTML (form-check.ts).
// This runs in the render workers (render-worker.ts); the server queues and caches previews in
// preview-queue.ts.
import type { Deviation } from '../checks/deviations.js';
import type { TenderFile } from '../schema/tender.js';
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
}

/** A bid with its tender's requirements, previewed together (one value, so one cache key). */
export interface WithTender {
  readonly previewOf: 'bid-with-tender';
  readonly bid: unknown;
  readonly tender: TenderFile;
}

export const withTender = (bid: unknown, tender: TenderFile | undefined): unknown =>
  tender ? ({ previewOf: 'bid-with-tender', bid, tender } satisfies WithTender) : bid;

const isWithTender = (v: unknown): v is WithTender =>
  (v as WithTender | null)?.previewOf === 'bid-with-tender' &&
  typeof (v as WithTender).tender === 'object';

/** Checks and renders `input` on the calling thread (the server calls it in a worker). */
export function renderPreview(input: unknown): Preview {
  const c = isWithTender(input) ? checkForm(input.bid, { tender: input.tender }) : checkForm(input);
  return {
    errors: { byPath: c.errors, count: c.errorCount },
    warnings: { byPath: c.warnings, count: c.warningCount },
    renderProblems: [],
    docs: c.docs,
    missing: c.missing,
    deviations: c.deviations,
  };
}

/** The same as renderPreview (kept for callers outside the server). */
export const preview = renderPreview;
