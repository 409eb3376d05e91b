// Page content gathered as text. pdfkit (under pdfmake) writes a page's content one operator at a
// time — pdfmake draws every Chinese character on its own, each with its colour, font and position
// — and turns each operator into a small byte array of its own, all joined when the page is done:
// tens of thousands of tiny arrays per document, much of the garbage a long document makes. Here
// an object's text is kept as strings while it is written and turned into bytes in one go when
// bytes come next (a chunk given as bytes) or the object is finished. The bytes are the same:
// pdfkit keeps the low byte of each character (`charCodeAt(i) & 0xff`), as Node's `latin1` does,
// each operator is followed by a newline as before, and the stream's length is counted the same
// way; the file is byte for byte the one pdfkit makes on its own (the tests compare).
import { createRequire } from 'node:module';

interface Reference {
  data: { Length?: number; Filter?: string };
  compress: boolean;
  uncompressedLength: number;
  buffer: Uint8Array[] | Uint8Array;
  write(chunk: string | Uint8Array): void;
  finalize(): void;
}

/** Where an object keeps the text written to it and not yet turned into bytes. */
const PENDING = Symbol('tenderkit pending text');
type Pending = Reference & { [PENDING]?: string[] | undefined };

/** Turns the object's pending text into one chunk of bytes, after the chunks before it. */
function flush(ref: Pending): void {
  const texts = ref[PENDING];
  if (!texts?.length) return;
  ref[PENDING] = undefined;
  const bytes = Buffer.from(texts.join(''), 'latin1');
  (ref.buffer as Uint8Array[]).push(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  );
}

let installed = false;

/** Makes pdfkit keep an object's written text as strings until it needs bytes (once per thread). */
export function textStreams(): void {
  if (installed) return;
  installed = true;
  let probe: Reference | undefined;
  try {
    const require = createRequire(createRequire(import.meta.url).resolve('pdfmake'));
    const PDFDocument = require('pdfkit') as new (options: object) => {
      ref(data?: object): Reference;
    };
    probe = new PDFDocument({ autoFirstPage: false }).ref();
  } catch {
    return; // pdfkit laid out differently (bundled): it writes as it always has
  }
  const proto = probe && (Object.getPrototypeOf(probe) as Reference);
  if (
    !proto ||
    typeof proto.write !== 'function' ||
    typeof proto.finalize !== 'function' ||
    !Array.isArray(probe?.buffer)
  )
    return;
  const { write, finalize } = proto;
  proto.write = function (this: Pending, chunk: string | Uint8Array): void {
    if (chunk instanceof Uint8Array || !Array.isArray(this.buffer)) {
      flush(this);
      write.call(this, chunk);
      return;
    }
    const text = `${chunk}\n`;
    const texts = this[PENDING];
    if (texts) texts.push(text);
    else this[PENDING] = [text];
    // As pdfkit counts a chunk it writes (a character is one byte).
    this.uncompressedLength += text.length;
    if (this.data.Length == null) this.data.Length = 0;
    this.data.Length += text.length;
    if (this.compress) this.data.Filter = 'FlateDecode';
  };
  proto.finalize = function (this: Pending): void {
    flush(this);
    finalize.call(this);
  };
}
