// TenderKit's own version, from its package.json. Imports nothing of TenderKit's, so
// `tenderkit --version` answers without loading the schema, the library or the writers.
import { readFileSync } from 'node:fs';

/** package.json, two folders up from src/provenance/ and from dist/provenance/ alike. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

let version: string | undefined;
/** TenderKit's own version (package.json is read once). */
export function toolVersion(): string {
  version ??= (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
  return version;
}
