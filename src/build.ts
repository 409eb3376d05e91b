// Builds every document of a bid in every format in memory, then writes them all or none.
import { mkdirSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { diagnostic, TenderKitError, type Diagnostic } from './diagnostics/diagnostic.js';
import { checkDocuments } from './checks/consistency.js';
import { untracedText } from './checks/traceability.js';
import {
  buildManifest,
  clausesUsed,
  documentProperties,
  extraCommitmentsUsed,
  MANIFEST_FILE,
  type BuildInputs,
} from './provenance/manifest.js';
import type { Document } from './ir/types.js';
import { defaultLibrary, type Library } from './library/library.js';
import { renderDocument, type RenderExtra } from './render/document.js';
import { documentsOf, type BidParams, type DocumentId } from './schema/bid.js';
import { docxWriter } from './writers/docx/index.js';
import { htmlWriter } from './writers/html/index.js';
import { pdfWriter } from './writers/pdf/index.js';
import type { Format, Writer } from './writers/types.js';

export const WRITERS: Record<Format, Writer> = {
  docx: docxWriter,
  pdf: pdfWriter,
  html: htmlWriter,
};

export interface BuiltFile {
  readonly documentId: DocumentId | 'manifest';
  readonly format: Format | 'json';
  /** `售后服务承诺书.docx`: the document title and the format's extension. */
  readonly fileName: string;
  readonly bytes: Buffer;
}

export interface BuildOptions {
  readonly formats: readonly Format[];
  readonly library?: Library;
  readonly onProgress?: (done: number, total: number, file: string) => void;
  /** Computed data the templates show (deviations). */
  readonly extra?: RenderExtra;
  /** Write only these documents (all are still rendered, so cross-document checks still run). */
  readonly only?: readonly DocumentId[];
  /** Record provenance: embed it in each file and add manifest.json to the outputs. */
  readonly provenance?: BuildInputs;
  /** Called with problems of warning severity; errors stop the build. */
  readonly onWarning?: (d: Diagnostic) => void;
}

export { documentsOf };

/**
 * Renders and checks every document; errors are thrown together, warnings go to `onWarning`.
 */
export function renderChecked(
  bid: BidParams,
  opts: { library?: Library; onWarning?: (d: Diagnostic) => void; extra?: RenderExtra } = {},
): Document[] {
  const library = opts.library ?? defaultLibrary();
  const docs = renderAll(bid, library, opts.extra);
  const found = [...checkDocuments(docs, bid), ...untracedText(docs, bid, library)];
  const errors = found.filter((d) => d.severity === 'error');
  if (errors.length) throw new TenderKitError(errors);
  for (const w of found) if (w.severity === 'warning') opts.onWarning?.(w);
  return docs;
}

/** Renders every document the bid asks for; all problems across documents are thrown together. */
export function renderAll(
  bid: BidParams,
  library: Library = defaultLibrary(),
  extra: RenderExtra = {},
): Document[] {
  const docs: Document[] = [];
  const problems: TenderKitError[] = [];
  for (const id of documentsOf(bid)) {
    try {
      docs.push(renderDocument(library, bid, id, extra));
    } catch (e) {
      if (e instanceof TenderKitError) problems.push(e);
      else throw e;
    }
  }
  if (problems.length) throw new TenderKitError(problems.flatMap((p) => p.diagnostics));
  return docs;
}

export async function buildBid(bid: BidParams, opts: BuildOptions): Promise<BuiltFile[]> {
  const library = opts.library ?? defaultLibrary();
  const all = renderChecked(bid, { ...opts, library });
  const rendered = all
    .filter((d) => !opts.only || opts.only.includes(d.meta.id as DocumentId))
    .map((doc) => {
      const uses = clausesUsed(doc, library);
      const extras = extraCommitmentsUsed(doc, bid);
      const properties = opts.provenance
        ? documentProperties(opts.provenance, uses, extras)
        : undefined;
      return {
        doc: properties ? { ...doc, meta: { ...doc.meta, properties } } : doc,
        uses,
        extras,
      };
    });
  const total = rendered.length * opts.formats.length;
  const out: (BuiltFile & { documentId: DocumentId; format: Format })[] = [];
  for (const { doc } of rendered) {
    for (const format of opts.formats) {
      const fileName = `${doc.meta.title}.${format}`;
      out.push({
        documentId: doc.meta.id as DocumentId,
        format,
        fileName,
        bytes: await WRITERS[format].write(doc),
      });
      opts.onProgress?.(out.length, total, fileName);
    }
  }
  if (!opts.provenance) return out;
  const manifest = buildManifest(opts.provenance, rendered, out);
  return [
    ...out,
    {
      documentId: 'manifest',
      format: 'json',
      fileName: MANIFEST_FILE,
      bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
    },
  ];
}

const TMP_PREFIX = '.tk-tmp-';

/**
 * Writes every file to a temporary name in `dir`, then renames them into place: a failure before
 * the renames leaves the folder as it was (temporary files are removed).
 */
export function writeFiles(
  dir: string,
  files: readonly { fileName: string; bytes: Buffer }[],
): string[] {
  const tmp: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    for (const f of files) {
      const t = path.join(dir, `${TMP_PREFIX}${process.pid}-${tmp.length}`);
      tmp.push(t);
      writeFileSync(t, f.bytes, { flush: true });
    }
    return files.map((f, i) => {
      const dest = path.join(dir, f.fileName);
      renameSync(tmp[i]!, dest);
      return dest;
    });
  } catch (e) {
    for (const t of tmp) rmSync(t, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw new TenderKitError([
      diagnostic('OutputFailed', `无法写入“${dir}”（${err.code ?? err.message}）`, {
        location: { file: dir },
      }),
    ]);
  }
}

/** Removes temporary files a killed build may have left behind. */
export function cleanTempFiles(dir: string): void {
  try {
    for (const f of readdirSync(dir))
      if (f.startsWith(TMP_PREFIX)) rmSync(path.join(dir, f), { force: true });
  } catch {
    // Folder absent: nothing to clean.
  }
}
