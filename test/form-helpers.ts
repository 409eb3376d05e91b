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

const dec = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The form's current fields, as a browser submits them (inputs, checked boxes, selects, textareas). */
export function formFields(html: string): [string, string][] {
  const start = html.indexOf('<form method="post" action="/bids/');
  const form = html.slice(start, html.indexOf('</form>', start));
  // Row templates nest (a tier's template holds its milestones' template): strip innermost first.
  let flat = form;
  for (let prev = ''; prev !== flat;) {
    prev = flat;
    flat = flat.replace(/<template[^>]*>(?:(?!<template)[\s\S])*?<\/template>/g, '');
  }
  const out: [string, string][] = [];
  // In document order, as FormData gives them.
  for (const m of flat.matchAll(
    /<input ([^>]*)>|<textarea([^>]*)>([\s\S]*?)<\/textarea>|<select([^>]*)>([\s\S]*?)<\/select>/g,
  )) {
    if (m[1] !== undefined) {
      const a = m[1];
      const name = /name="([^"]+)"/.exec(a)?.[1];
      if (!name || name === '_csrf') continue;
      const type = /type="([^"]+)"/.exec(a)?.[1];
      if (type === 'file') continue;
      const value = dec(/value="([^"]*)"/.exec(a)?.[1] ?? '');
      if (type === 'checkbox' && !/ checked/.test(a)) continue;
      out.push([dec(name), type === 'checkbox' ? value || 'on' : value]);
    } else if (m[2] !== undefined) {
      const name = /name="([^"]+)"/.exec(m[2])?.[1];
      // As in a browser, one newline right after <textarea> is not part of the value.
      if (name) out.push([dec(name), dec(m[3]!.replace(/^\r?\n/, ''))]);
    } else {
      const name = /name="([^"]+)"/.exec(m[4]!)?.[1];
      if (!name || / disabled/.test(m[4]!)) continue;
      const sel =
        /<option value="([^"]*)"[^>]*? selected/.exec(m[5]!) ??
        /<option value="([^"]*)"/.exec(m[5]!);
      out.push([dec(name), dec(sel?.[1] ?? '')]);
    }
  }
  return out;
}

/** Form fields as a POST body, with some values replaced (a key mapped to undefined is left out). */
export function bodyOf(
  fields: [string, string][],
  edits: Record<string, string | undefined> = {},
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of fields) {
    if (k in edits && edits[k] === undefined) continue;
    (out[k] ??= []).push(k in edits ? edits[k]! : v);
  }
  for (const [k, v] of Object.entries(edits))
    if (v !== undefined && !fields.some(([f]) => f === k)) out[k] = [v];
  return out;
}

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
