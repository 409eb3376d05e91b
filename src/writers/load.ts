// Each writer's module is imported when a format is first written: a .docx-only build never loads
// pdfmake and the fonts, a PDF-only build never loads docx.
import type { Format, Writer } from './types.js';

const LOADERS: Record<Format, () => Promise<Writer>> = {
  docx: async () => (await import('./docx/index.js')).docxWriter,
  pdf: async () => (await import('./pdf/index.js')).pdfWriter,
  html: async () => (await import('./html/index.js')).htmlWriter,
};

export function loadWriter(format: Format): Promise<Writer> {
  return LOADERS[format]();
}
