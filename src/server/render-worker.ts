// Runs in a worker thread: renders previews and builds files, so a slow PDF never blocks the server.
import { buildBid, renderChecked } from '../build.js';
import { TenderKitError, formatDiagnostic } from '../diagnostics/diagnostic.js';
import { prepareBid } from '../load/prepare.js';
import { toHtmlFragment } from '../writers/html/index.js';
import type { Format } from '../writers/types.js';
import { validateInput, type FieldErrors } from './form-values.js';

export type Task =
  | { kind: 'warmup' }
  | { kind: 'preview'; input: unknown }
  | { kind: 'build'; file: string; displayName: string; formats: Format[] };

export interface PreviewResult {
  readonly kind: 'preview';
  readonly errors: FieldErrors;
  readonly warnings: FieldErrors;
  /** Problems found while rendering (placeholders, glyphs), as text. */
  readonly renderProblems: string[];
  readonly docs: { id: string; title: string; html: string }[];
}

export interface BuildResult {
  readonly kind: 'build';
  readonly problems: string[];
  readonly files: { fileName: string; format: string; documentId: string; bytes: Uint8Array }[];
}

export default async function run(
  task: Task,
): Promise<PreviewResult | BuildResult | { kind: 'warmup' }> {
  if (task.kind === 'warmup') {
    await warm();
    return { kind: 'warmup' };
  }
  if (task.kind === 'preview') {
    const v = validateInput(task.input);
    if (!v.params)
      return {
        kind: 'preview',
        errors: v.errors,
        warnings: v.warnings,
        renderProblems: [],
        docs: [],
      };
    try {
      // The 偏离表 needs the tender file beside a saved bid; the preview shows the other documents.
      const docs = renderChecked({ ...v.params, tender: undefined });
      return {
        kind: 'preview',
        errors: v.errors,
        warnings: v.warnings,
        renderProblems: [],
        docs: docs.map((d) => ({ id: d.meta.id, title: d.meta.title, html: toHtmlFragment(d) })),
      };
    } catch (e) {
      if (!(e instanceof TenderKitError)) throw e;
      return {
        kind: 'preview',
        errors: v.errors,
        warnings: v.warnings,
        renderProblems: e.diagnostics.map(formatDiagnostic),
        docs: [],
      };
    }
  }
  try {
    const bid = prepareBid(task.file, () => {});
    const files = await buildBid(bid.params, {
      formats: task.formats,
      extra: bid.extra,
      provenance: {
        bid: { file: task.displayName, sha256: bid.source.sha256 },
        tender: bid.tenderSource,
        formats: task.formats,
        drafts: false,
      },
    });
    return {
      kind: 'build',
      problems: [],
      files: files.map((f) => ({
        fileName: f.fileName,
        format: f.format,
        documentId: f.documentId,
        bytes: new Uint8Array(f.bytes),
      })),
    };
  } catch (e) {
    if (!(e instanceof TenderKitError)) throw e;
    return { kind: 'build', problems: e.diagnostics.map(formatDiagnostic), files: [] };
  }
}

let warmed: Promise<void> | undefined;
/** Loads the library and fonts once per thread. */
function warm(): Promise<void> {
  warmed ??= (async () => {
    const { defaultLibrary } = await import('../library/library.js');
    defaultLibrary();
  })();
  return warmed;
}
