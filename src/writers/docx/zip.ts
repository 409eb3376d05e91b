// The .docx package's zip: the same bytes as fflate's `zipSync` given the same parts, options
// `{ mtime, level: 0 }` for the media and `{ mtime, level: 6 }` for the rest (what the writer used
// to call; test/parallel.test.ts compares the two) in a process whose time zone is UTC, written
// here so that
//   - the CRC-32 of each part is Node's (native) rather than fflate's (JavaScript: the figures'
//     PNGs are hundreds of kilobytes), and
//   - a part deflated before, byte for byte the same, is not deflated again: a build's documents
//     share most of their parts (styles, theme, settings, fonts, notes, relationships, content
//     types), and each document's own `word/document.xml` is always deflated;
//   - the entries' time is the UTC time asked for, whatever the process's time zone (fflate writes
//     local time: the same document built in Beijing and in a UTC container differed).
// The deflated bytes are fflate's (`deflateSync`, level 6), as before: pure JavaScript, so the
// same on every platform. Layout per PKWARE APPNOTE 4.3.7 (local header), 4.3.12 (central
// directory) and 4.3.16 (end of central directory), with fflate's choices: version 2.0, no flags
// for ASCII names (bit 11 for others), no extra fields, no comments, no attributes.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { deflateSync } from 'fflate';

const LEVEL = 6;
/** Parts never looked up in the memo: different in every document. */
const ALWAYS_DEFLATED = new Set(['word/document.xml']);
/** Deflated parts kept (by content): a build's shared parts, a few house styles' worth. */
const MEMO_SIZE = 64;
const memo = new Map<string, Uint8Array>();

function deflated(name: string, data: Uint8Array): Uint8Array {
  if (ALWAYS_DEFLATED.has(name)) return deflateSync(data, { level: LEVEL });
  const key = createHash('sha256').update(data).digest('base64');
  let out = memo.get(key);
  if (!out) {
    out = deflateSync(data, { level: LEVEL });
    memo.set(key, out);
    if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value!);
  }
  return out;
}

/** MS-DOS date and time (APPNOTE 4.4.6) of `d` in UTC. */
function dosTime(d: Date): number {
  const y = d.getUTCFullYear() - 1980;
  if (y < 0 || y > 119) throw new Error('zip dates run from 1980 to 2099');
  return (
    ((y << 25) |
      ((d.getUTCMonth() + 1) << 21) |
      (d.getUTCDate() << 16) |
      (d.getUTCHours() << 11) |
      (d.getUTCMinutes() << 5) |
      (d.getUTCSeconds() >> 1)) >>>
    0
  );
}

/**
 * The zip of `parts` in their order, every entry dated `mtime`; `stored(name)` says which parts are
 * kept as they are (already compressed: PNG), the others deflated.
 */
export function zipParts(
  parts: Record<string, Uint8Array>,
  mtime: Date,
  stored: (name: string) => boolean,
): Buffer {
  const time = dosTime(mtime);
  const entries = Object.entries(parts).map(([name, data]) => {
    const store = stored(name);
    const fileName = Buffer.from(name, 'utf8');
    return {
      fileName,
      utf8: fileName.length !== name.length,
      method: store ? 0 : 8,
      body: store ? data : deflated(name, data),
      crc: crc32(data) >>> 0,
      size: data.length,
    };
  });
  let localBytes = 0;
  let centralBytes = 0;
  for (const e of entries) {
    if (e.fileName.length > 0xffff) throw new Error('zip entry name too long');
    localBytes += 30 + e.fileName.length + e.body.length;
    centralBytes += 46 + e.fileName.length;
  }
  const out = Buffer.alloc(localBytes + centralBytes + 22);
  const header = (at: number, e: (typeof entries)[number], offset?: number): number => {
    const central = offset !== undefined;
    out.writeUInt32LE(central ? 0x02014b50 : 0x04034b50, at);
    at += 4;
    if (central) out.writeUInt16LE(20, (at += 2) - 2); // made by: 2.0, MS-DOS
    out.writeUInt16LE(20, at); // needed: 2.0
    out.writeUInt16LE(e.utf8 ? 0x0800 : 0, at + 2);
    out.writeUInt16LE(e.method, at + 4);
    out.writeUInt32LE(time, at + 6);
    out.writeUInt32LE(e.crc, at + 10);
    out.writeUInt32LE(e.body.length, at + 14);
    out.writeUInt32LE(e.size, at + 18);
    out.writeUInt16LE(e.fileName.length, at + 22);
    at += 26; // and no extra field
    if (central) {
      out.writeUInt32LE(offset, at + 10); // after: no comment, disk 0, no attributes
      at += 14;
    }
    e.fileName.copy(out, at);
    return at + e.fileName.length;
  };
  let at = 0;
  const offsets: number[] = [];
  for (const e of entries) {
    offsets.push(at);
    at = header(at, e);
    out.set(e.body, at);
    at += e.body.length;
  }
  entries.forEach((e, i) => (at = header(at, e, offsets[i])));
  out.writeUInt32LE(0x06054b50, at);
  out.writeUInt16LE(entries.length, at + 8);
  out.writeUInt16LE(entries.length, at + 10);
  out.writeUInt32LE(centralBytes, at + 12);
  out.writeUInt32LE(localBytes, at + 16);
  return out;
}
