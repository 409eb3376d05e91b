// word/fontTable.xml: what Word needs to substitute a font the reader's machine lacks under its
// name — the alternative name (宋体 is SimSun on an English system), character set, PANOSE class,
// family, pitch and Unicode coverage. docx writes an empty table.

interface FontFacts {
  readonly altName?: string;
  readonly panose?: string;
  readonly charset: string;
  readonly family: 'auto' | 'roman' | 'swiss' | 'modern';
  readonly pitch: 'variable' | 'fixed';
  /** usb0–usb3, csb0, csb1 (the OS/2 table's Unicode and code-page ranges). */
  readonly sig?: readonly [string, string, string, string, string, string];
}

const SIMSUN: FontFacts = {
  altName: 'SimSun',
  panose: '02010600030101010101',
  charset: '86',
  family: 'auto',
  pitch: 'variable',
  sig: ['00000003', '288F0000', '00000016', '00000000', '00040001', '00000000'],
};
const SIMHEI: FontFacts = {
  altName: 'SimHei',
  panose: '02010609060101010101',
  charset: '86',
  family: 'modern',
  pitch: 'fixed',
  sig: ['800002BF', '38CF7CFA', '00000016', '00000000', '00040001', '00000000'],
};
const LATIN_SIG = ['E0002EFF', 'C000785B', '00000009', '00000000', '000001FF', '00000000'] as const;

/** Fonts whose facts are known (as Windows' own copies report them). */
const KNOWN: ReadonlyMap<string, FontFacts> = new Map([
  ['宋体', SIMSUN],
  ['SimSun', { ...SIMSUN, altName: '宋体' }],
  ['黑体', SIMHEI],
  ['SimHei', { ...SIMHEI, altName: '黑体' }],
  ['仿宋', { altName: 'FangSong', charset: '86', family: 'modern', pitch: 'fixed' }],
  ['楷体', { altName: 'KaiTi', charset: '86', family: 'modern', pitch: 'fixed' }],
  ['微软雅黑', { altName: 'Microsoft YaHei', charset: '86', family: 'swiss', pitch: 'variable' }],
  [
    'Times New Roman',
    {
      panose: '02020603050405020304',
      charset: '00',
      family: 'roman',
      pitch: 'variable',
      sig: LATIN_SIG,
    },
  ],
  [
    'Arial',
    {
      panose: '020B0604020202020204',
      charset: '00',
      family: 'swiss',
      pitch: 'variable',
      sig: LATIN_SIG,
    },
  ],
]);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export interface NamedFonts {
  readonly latin: string;
  readonly chinese: string;
}

/**
 * The font table for the body and heading fonts, Chinese then Latin each. A font not known here
 * gets the GB2312 character set when it sets Chinese text, and no alternative name.
 */
export function fontTableXml(fonts: readonly NamedFonts[]): string {
  const table = new Map<string, FontFacts>();
  for (const f of fonts) {
    if (!table.has(f.chinese))
      table.set(
        f.chinese,
        KNOWN.get(f.chinese) ?? { charset: '86', family: 'auto', pitch: 'variable' },
      );
    if (!table.has(f.latin))
      table.set(
        f.latin,
        KNOWN.get(f.latin) ?? { charset: '00', family: 'auto', pitch: 'variable' },
      );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<w:fonts xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
    [...table]
      .map(
        ([name, f]) =>
          `<w:font w:name="${esc(name)}">` +
          (f.altName ? `<w:altName w:val="${esc(f.altName)}"/>` : '') +
          (f.panose ? `<w:panose1 w:val="${f.panose}"/>` : '') +
          `<w:charset w:val="${f.charset}"/><w:family w:val="${f.family}"/><w:pitch w:val="${f.pitch}"/>` +
          (f.sig
            ? `<w:sig w:usb0="${f.sig[0]}" w:usb1="${f.sig[1]}" w:usb2="${f.sig[2]}" w:usb3="${f.sig[3]}" w:csb0="${f.sig[4]}" w:csb1="${f.sig[5]}"/>`
            : '') +
          '</w:font>',
      )
      .join('') +
    '</w:fonts>'
  );
}
