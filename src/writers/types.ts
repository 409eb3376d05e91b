// What every writer provides: bytes for a document, and the file extension it writes.
import type { Document } from '../ir/types.js';

export type Format = 'docx' | 'pdf' | 'html';
export const FORMATS: readonly Format[] = ['docx', 'pdf', 'html'];

export interface Writer {
  readonly format: Format;
  write(doc: Document): Promise<Buffer>;
}

/** Characters XML 1.0 cannot carry; validated input never has them, writers drop them anyway. */
/* eslint-disable no-control-regex -- matching control characters is the point */
export const XML_ILLEGAL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;
/* eslint-enable no-control-regex */

/** Printed on every page of a document that uses an unapproved clause version. */
export const DRAFT_MARK = '草稿 / DRAFT';
