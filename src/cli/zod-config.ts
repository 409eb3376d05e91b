// Zod compiles a fast path (`new Function`) for each object schema the first time it parses with
// it, which pays off only over many parses: `lint` and `build` parse a bid once, and validating it
// took twice the CPU time with the compiled paths (about 25 ms against 12 ms). Zod's own switch,
// for the whole process, set before the schemas are built (each object schema reads it then); the
// server (`serve`) keeps the compiled paths. The results are the same either way: both paths are
// Zod's, with the same checks (compared byte for byte on every example and test bid).
import { config } from 'zod';

export function parseWithoutCompiling(): void {
  config({ jitless: true });
}
