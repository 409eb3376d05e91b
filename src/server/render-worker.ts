// Runs in a worker thread: builds .docx/.pdf files and renders live previews, so neither a slow
// PDF nor a large preview blocks the server.
import { buildBid } from '../build.js';
import { TenderKitError, formatDiagnostic } from '../diagnostics/diagnostic.js';
import { prepareBid } from '../prepare.js';
import type { Format } from '../writers/types.js';
import type { DocumentId } from '../schema/bid.js';
import { renderPreview, type Preview } from './preview.js';

export type Task =
  | { kind: 'warmup' }
  | { kind: 'build'; file: string; displayName: string; formats: Format[]; only?: DocumentId[] }
  | { kind: 'preview'; input: unknown };

export interface BuildResult {
  readonly kind: 'build';
  readonly problems: string[];
  readonly files: { fileName: string; format: string; documentId: string; bytes: Uint8Array }[];
}

export default async function run(task: Task): Promise<BuildResult | Preview | { kind: 'warmup' }> {
  if (task.kind === 'warmup') {
    await warm();
    return { kind: 'warmup' };
  }
  if (task.kind === 'preview') return renderPreview(task.input);
  try {
    const bid = prepareBid(task.file, () => {});
    const files = await buildBid(bid.params, {
      formats: task.formats,
      only: task.only,
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
    const { parsedFonts } = await import('../fonts/parsed.js');
    defaultLibrary();
    parsedFonts();
  })();
  return warmed;
}
