// Runs in a worker thread: builds .docx/.pdf files and renders live previews, so neither a slow
// PDF nor a large preview blocks the server. In a company workspace (`serve --workspace`), the pool
// hands each worker the workspace's folder; the worker opens it itself (threads share no objects)
// and builds and previews with its library, house style and company profile, as the CLI does.
import { statSync } from 'node:fs';
import path from 'node:path';
import { workerData } from 'node:worker_threads';
import { buildBid } from '../build.js';
import { TenderKitError, formatDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { defaultLibrary, libraryAt, type Library } from '../library/library.js';
import { prepareBid } from '../prepare.js';
import { workspaceInputs } from '../provenance/manifest.js';
import type { Format } from '../writers/types.js';
import type { DocumentId } from '../schema/bid.js';
import { openWorkspace, WORKSPACE_FILE, type Workspace } from '../workspace/workspace.js';
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

/** What the pool tells each worker when it starts. */
export interface WorkerSetup {
  /** The company workspace's folder (holding tenderkit.yaml); absent: the built-in library. */
  readonly workspaceRoot?: string;
}

const setup = (workerData ?? {}) as WorkerSetup;

let opened: { stamp: string; workspace: Workspace } | undefined;
/**
 * The workspace, opened on first use and again whenever tenderkit.yaml changes (its settings say
 * where the library, the profile and the style are). Problems are thrown, located.
 */
function workspace(): Workspace | undefined {
  const root = setup.workspaceRoot;
  if (!root) return undefined;
  let stamp = '-';
  try {
    const st = statSync(path.join(root, WORKSPACE_FILE), { bigint: true });
    stamp = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    // openWorkspace reports the missing file
  }
  if (opened?.stamp !== stamp) opened = { stamp, workspace: openWorkspace(root) };
  return opened.workspace;
}

/** The library and style in use; the library is loaded again (seal checks included) when it changes. */
function context(): { workspace?: Workspace; library: Library } {
  const ws = workspace();
  return ws ? { workspace: ws, library: libraryAt(ws.libraryRoot) } : { library: defaultLibrary() };
}

export default async function run(task: Task): Promise<BuildResult | Preview | { kind: 'warmup' }> {
  if (task.kind === 'warmup') {
    await warm();
    return { kind: 'warmup' };
  }
  if (task.kind === 'preview') {
    let ctx;
    try {
      ctx = context();
    } catch (e) {
      if (!(e instanceof TenderKitError)) throw e;
      return unusable(e.diagnostics);
    }
    return renderPreview(task.input, {
      library: ctx.library,
      ...(ctx.workspace ? { workspace: ctx.workspace } : {}),
      ...(ctx.workspace?.style ? { style: ctx.workspace.style } : {}),
    });
  }
  try {
    const { workspace: ws, library } = context();
    const bid = prepareBid(task.file, () => {}, { library, workspace: ws ?? null });
    const files = await buildBid(bid.params, {
      formats: task.formats,
      only: task.only,
      extra: bid.extra,
      library,
      ...(ws?.style ? { style: ws.style } : {}),
      provenance: {
        // The stored file: workspace paths in the manifest are relative to its folder.
        bid: { file: task.file, sha256: bid.source.sha256 },
        tender: bid.tenderSource,
        formats: task.formats,
        drafts: false,
        ...workspaceInputs(bid),
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

/**
 * A preview when the workspace cannot be used (an approved clause edited in place, a broken
 * tenderkit.yaml): the located problems, and no documents made from it.
 */
function unusable(problems: readonly Diagnostic[]): Preview {
  const lines = problems.map((d) => `工作区有问题，不能生成文件：${formatDiagnostic(d)}`);
  return {
    errors: { byPath: { '': lines }, count: lines.length },
    warnings: { byPath: {}, count: 0 },
    renderProblems: [],
    docs: [],
    missing: [],
    deviations: [],
  };
}

let warmed: Promise<void> | undefined;
/** Loads the library (the workspace's own, if any) and fonts once per thread. */
function warm(): Promise<void> {
  warmed ??= (async () => {
    const { parsedFonts } = await import('../fonts/parsed.js');
    context();
    parsedFonts();
  })();
  return warmed;
}
