// The fonts a .docx names (Word resolves them on the reader's machine; nothing is embedded).

/** Word font names: the body in 宋体 and headings in 黑体, with Latin fallbacks. */
export const WORD_FONTS = {
  body: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体' },
  heading: { ascii: 'Arial', hAnsi: 'Arial', eastAsia: '黑体' },
} as const;
