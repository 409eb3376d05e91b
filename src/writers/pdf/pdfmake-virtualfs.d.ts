// pdfmake 0.3 on Node exposes its virtual file system as `virtualfs`; @types/pdfmake omits it.
export {};

declare module 'pdfmake' {
  export const virtualfs: {
    writeFileSync(name: string, content: Buffer | object): void;
    existsSync(name: string): boolean;
  };
}
