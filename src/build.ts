// Builds every document of a bid in every format in memory, then writes them all or none.
import { TenderKitError, type Diagnostic } from './diagnostics/diagnostic.js';
import { checkDocuments } from './checks/consistency.js';
import { untracedText } from './checks/traceability.js';
import { unstatedCommitments } from './checks/unstated.js';
import {
  buildManifest,
  clausesUsed,
  documentProperties,
  extraCommitmentsUsed,
  MANIFEST_FILE,
  type BuildInputs,
  type ClauseUse,
  type ExtraCommitmentUse,
} from './provenance/manifest.js';
import type { Document, HouseStyle } from './ir/types.js';
import { defaultLibrary, type Library } from './library/library.js';
import { renderDocument, type RenderExtra } from './render/document.js';
import { documentsOf, type BidParams, type DocumentId } from './schema/bid.js';
import { loadWriter } from './writers/load.js';
import type { ThreadJob, WriterThread } from './writers/thread.js';
import { FORMATS, type Format, type Writer } from './writers/types.js';

/** Every writer, its module imported on first use: a build loads only the formats it writes. */
export const WRITERS: Readonly<Record<Format, Writer>> = Object.fromEntries(
  FORMATS.map((format) => [
    format,
    { format, write: async (doc: Document) => (await loadWriter(format)).write(doc) },
  ]),
) as Record<Format, Writer>;

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
  /**
   * Writes the formats it handles on a second thread while this one writes the rest (the caller
   * starts it early, so it warms up while the bid loads, and closes it). Same bytes either way.
   */
  readonly thread?: WriterThread;
  /** The workspace's house style (src/workspace/style.ts); the built-in style when absent. */
  readonly style?: HouseStyle;
  /** Write PDFs as PDF/A-2b (`build --pdfa`). */
  readonly pdfa?: boolean;
  /**
   * Keep tool fingerprints (version, bid hash, clause list) out of the files' metadata; they stay
   * in manifest.json (`build --clean-metadata`, or the house style's `cleanMetadata`).
   */
  readonly cleanMetadata?: boolean;
}

export { documentsOf };

/**
 * Renders and checks every document; errors are thrown together, warnings go to `onWarning`.
 * `onRendered` sees each document as soon as it is rendered, before the checks across documents.
 */
export function renderChecked(
  bid: BidParams,
  opts: {
    library?: Library;
    onWarning?: (d: Diagnostic) => void;
    extra?: RenderExtra;
    onRendered?: (doc: Document) => void;
    /** The house style every document carries (writers and the glyph check read it). */
    style?: HouseStyle;
  } = {},
): Document[] {
  const library = opts.library ?? defaultLibrary();
  const docs = renderAll(bid, library, opts.extra, opts.onRendered, opts.style);
  const found = [
    ...checkDocuments(docs, bid),
    ...untracedText(docs, bid, library),
    ...unstatedCommitments(docs, bid, (b) => renderAll(b, library, opts.extra)),
  ];
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
  onRendered?: (doc: Document) => void,
  style?: HouseStyle,
): Document[] {
  const docs: Document[] = [];
  const problems: TenderKitError[] = [];
  for (const id of documentsOf(bid)) {
    try {
      const plain = renderDocument(library, bid, id, extra);
      const doc = style ? { ...plain, meta: { ...plain.meta, style } } : plain;
      docs.push(doc);
      onRendered?.(doc);
    } catch (e) {
      if (e instanceof TenderKitError) problems.push(e);
      else throw e;
    }
  }
  if (problems.length) throw new TenderKitError(problems.flatMap((p) => p.diagnostics));
  return docs;
}

/** A rendered document ready to write: with its provenance, and its files on the way. */
interface Prepared {
  readonly doc: Document;
  readonly uses: ClauseUse[];
  readonly extras: ExtraCommitmentUse[];
  /** Files the writer thread is writing, by format. */
  readonly remote: Map<Format, ThreadJob>;
}

export async function buildBid(bid: BidParams, opts: BuildOptions): Promise<BuiltFile[]> {
  const library = opts.library ?? defaultLibrary();
  const wanted = (id: string) => !opts.only || opts.only.includes(id as DocumentId);
  const total = documentsOf(bid).filter(wanted).length * opts.formats.length;
  let done = 0;
  const finished = (fileName: string) => opts.onProgress?.(++done, total, fileName);
  const fileName = (doc: Document, format: Format) => `${doc.meta.title}.${format}`;

  const prepared = new Map<Document, Prepared>();
  const prepare = (rendered: Document): Prepared => {
    let p = prepared.get(rendered);
    if (!p) {
      const uses = clausesUsed(rendered, library);
      const extras = extraCommitmentsUsed(rendered, bid);
      const clean = opts.cleanMetadata === true || opts.style?.cleanMetadata === true;
      const properties =
        opts.provenance && !clean ? documentProperties(opts.provenance, uses, extras) : undefined;
      const flags = {
        ...(properties ? { properties } : {}),
        ...(opts.pdfa ? { pdfa: true } : {}),
        ...(clean ? { cleanMetadata: true } : {}),
      };
      const doc = Object.keys(flags).length
        ? { ...rendered, meta: { ...rendered.meta, ...flags } }
        : rendered;
      prepared.set(rendered, (p = { doc, uses, extras, remote: new Map() }));
    }
    return p;
  };
  // Each document goes to the writer thread as soon as it is rendered, so the thread writes while
  // the other documents render and the checks run. If a check then fails, its work is dropped.
  const thread = opts.thread;
  const send = (rendered: Document) => {
    if (!thread || !wanted(rendered.meta.id)) return;
    const p = prepare(rendered);
    for (const format of opts.formats) {
      if (!thread.handles(format)) continue;
      const job = thread.write(format, p.doc);
      const bytes = job.bytes.then((b) => {
        if (b) finished(fileName(p.doc, format)); // else taken back: reported where written
        return b;
      });
      bytes.catch(() => {}); // awaited below, in order; a failure must not surface before that
      p.remote.set(format, { bytes, takeBack: job.takeBack });
    }
  };

  const all = renderChecked(bid, { ...opts, library, onRendered: send });
  const rendered = all.filter((d) => wanted(d.meta.id)).map(prepare);
  const jobs = rendered.flatMap((p) => opts.formats.map((format) => ({ p, format })));
  const bytes: Buffer[] = [];
  // A document with a contents: its PDF first, so that its .docx takes the contents' page numbers
  // from that layout (writers/pdf-pages.ts) rather than laying the document out again. When the
  // thread writes that PDF, the .docx waits for it: after every other file of this thread.
  type Job = (typeof jobs)[number];
  const hasToc = (p: Prepared) => p.doc.children.some((b) => b.type === 'toc');
  const pdfFirst = (j: Job) => (j.format === 'pdf' && hasToc(j.p) ? 0 : 1);
  const takenBack = new Set<ThreadJob>();
  const remote = (j: Job) => {
    const r = j.p.remote.get(j.format);
    return r && !takenBack.has(r) ? r : undefined;
  };
  const waitsForThread = (j: Job) =>
    j.format === 'docx' && hasToc(j.p) && remote({ p: j.p, format: 'pdf' }) ? 1 : 0;
  const order = [...jobs.entries()].sort(([ia, a], [ib, b]) =>
    a.p === b.p ? pdfFirst(a) - pdfFirst(b) || ia - ib : ia - ib,
  );
  // A problem in a document (a character its PDF font lacks…) is kept and the other files are
  // still written, so the build reports every document's problems, in the order of the files,
  // whichever thread met them first.
  const problems: (TenderKitError | undefined)[] = [];
  const settle = (i: number) => (e: unknown) => {
    if (!(e instanceof TenderKitError)) throw e;
    problems[i] = e;
  };
  const writeHere = async (i: number, { p, format }: Job) => {
    await WRITERS[format].write(p.doc).then((b) => {
      bytes[i] = b;
      finished(fileName(p.doc, format));
    }, settle(i));
    // Between files, a Ctrl-C (or TERM) reaches its handler: the folder is not yet touched.
    await new Promise((resolve) => setImmediate(resolve));
  };
  const settled = (i: number) => bytes[i] !== undefined || problems[i] !== undefined;
  // This thread's own files, but a .docx waiting for the pages of the thread's PDF.
  for (const [i, j] of order) if (!remote(j) && !waitsForThread(j)) await writeHere(i, j);
  // The thread's files it has not begun, taken back and written here, the last first (the thread
  // writes from the first): neither thread waits while the other still has work.
  for (const [i, j] of [...jobs.entries()].reverse()) {
    const r = remote(j);
    if (r?.takeBack()) {
      takenBack.add(r);
      await writeHere(i, j);
    }
  }
  for (const [i, j] of order) {
    if (settled(i) || remote(j)) continue;
    // Its pages come with the thread's PDF; a PDF that failed is answered below, in order.
    await remote({ p: j.p, format: 'pdf' })
      ?.bytes.then(() => {})
      .catch(() => {});
    await writeHere(i, j);
  }
  for (const [i, j] of jobs.entries()) {
    if (settled(i)) continue;
    // A thread that failed (died, out of memory) is no answer: that file is written here instead.
    const b = await remote(j)!.bytes.then(
      (x) => x,
      (e: unknown) => {
        if (e instanceof TenderKitError) problems[i] = e;
        return undefined;
      },
    );
    if (b) bytes[i] = b;
    else if (!problems[i]) await writeHere(i, j);
  }
  const found = problems.flatMap((e) => e?.diagnostics ?? []);
  if (found.length) throw new TenderKitError(found);
  const out = jobs.map(({ p, format }, i) => ({
    documentId: p.doc.meta.id as DocumentId,
    format,
    fileName: fileName(p.doc, format),
    bytes: bytes[i]!,
  }));
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

// Writing the files (all or nothing) lives in output.ts.
export { cleanTempFiles, writeBuild, writeFiles } from './output.js';
