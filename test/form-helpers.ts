// Helpers for the bid form's tests: the fields a browser would submit from a form page, and the
// form page rendered without a server.
import nunjucks from 'nunjucks';
import path from 'node:path';
import { documentLabels } from '../src/schema/labels.js';
import type { BidInput } from '../src/schema/bid.js';
import { formPage } from '../src/server/form-page.js';
import { tenderForm } from '../src/server/deviation-form.js';
import type { Preview } from '../src/server/preview.js';
import { ROOT } from './helpers.js';

// One extraction of the fields a browser submits, shared by every web test (web-client.ts).
export { bodyOf, formFields } from './web-client.js';

/** A body as a form submission: every value a string, repeated names as arrays. */
export function asFormBody(fields: [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of fields) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

const NO_CHECK: Preview = {
  errors: { byPath: {}, count: 0 },
  warnings: { byPath: {}, count: 0 },
  renderProblems: [],
  docs: [],
  missing: [],
  deviations: [],
};

let env: nunjucks.Environment | undefined;
/** The form page of `input` as the server renders it (without the check and preview). */
export function renderFormPage(input: BidInput, preview: Preview = NO_CHECK): string {
  env ??= (() => {
    const e = new nunjucks.Environment(
      new nunjucks.FileSystemLoader(path.join(ROOT, 'web', 'templates')),
      { autoescape: true },
    );
    e.addGlobal('documentLabels', documentLabels);
    return e;
  })();
  return env.render('form.njk', {
    ...formPage({ id: 'bid-test', input, preview, tender: tenderForm(input, {}) }),
    csrfToken: 'token',
  });
}
