// opencc-js ships its dictionaries as ES modules whose default export is the dictionary text
// ("繁 简|…"), without type declarations of their own.
declare module 'opencc-js/dict/*' {
  const dict: string;
  export default dict;
}
