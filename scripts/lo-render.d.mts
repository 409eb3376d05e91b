// Types of scripts/lo-render.mjs, for tests written in TypeScript.
/** Family names of the PDF's fonts, as fontconfig reads them from the files. */
export declare const SERIF: string;
export declare const SANS: string;
/** The LibreOffice binary, or undefined when it is not installed. */
export declare function soffice(): string | undefined;
/** Writes a fontconfig set-up into `dir` that knows only the PDF's fonts; returns its path. */
export declare function loFonts(dir: string): string;
/** Converts the .docx files to PDF in `outdir` in one LibreOffice process; returns the time in ms. */
export declare function renderDocx(files: readonly string[], outdir: string, bin?: string): number;
