// Where a PDF's pages fell, kept for the .docx of the same document: a build writes the PDF of a
// document with a contents first, and its .docx then takes the contents' page numbers from that
// layout instead of laying the document out a second time. Keyed by the document object (nothing
// outlives it); light on purpose — the .docx writer imports it without loading pdfmake.
import type { Document } from '../ir/types.js';
import type { PdfPages } from './docx/pagination.js';

const byDocument = new WeakMap<Document, PdfPages>();

export function recordPdfPages(doc: Document, pages: PdfPages): void {
  byDocument.set(doc, pages);
}

/** The pages of `doc` as the PDF writer laid them out in this thread, if it has. */
export function pdfPagesOf(doc: Document): PdfPages | undefined {
  return byDocument.get(doc);
}
