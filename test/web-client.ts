// A small HTTP client for the web app's tests: plain node:http (so headers are exactly those given
// and a local address can be chosen, to act as several clients), with the CSRF cookie and token.
import http from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  readonly ms: number;
}

export type Fields = Record<string, string | string[]> | [string, string][];

export class WebClient {
  cookie = '';
  token = '';

  constructor(
    readonly base: string,
    /** A loopback address of its own (127.0.0.x), so the server sees a different client. */
    readonly localAddress?: string,
  ) {}

  request(
    method: string,
    path: string,
    opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const url = new URL(path, this.base);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method,
          localAddress: this.localAddress,
          agent: false,
          headers: {
            ...(this.cookie ? { cookie: this.cookie } : {}),
            ...(opts.body !== undefined ? { 'content-length': Buffer.byteLength(opts.body) } : {}),
            ...opts.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            const set = res.headers['set-cookie']?.find((c) => c.startsWith('tk_csrf='));
            if (set) this.cookie = set.split(';')[0]!;
            const text = body.toString('utf8');
            const t = /name="_csrf" value="([^"]+)"/.exec(text);
            if (t && /html/.test(String(res.headers['content-type']))) this.token = t[1]!;
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body,
              text,
              ms: performance.now() - started,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.request('GET', path, { headers });
  }

  /** A form POST with the client's token (unless `_csrf` is given or `token: null`). */
  post(
    path: string,
    fields: Fields,
    opts: { headers?: Record<string, string>; token?: string | null } = {},
  ): Promise<Reply> {
    const body = new URLSearchParams();
    const pairs = Array.isArray(fields)
      ? fields
      : Object.entries(fields).flatMap(([k, v]) =>
          [v].flat().map((x) => [k, x] as [string, string]),
        );
    for (const [k, v] of pairs) body.append(k, v);
    if (opts.token !== null && !body.has('_csrf')) body.set('_csrf', opts.token ?? this.token);
    return this.request('POST', path, {
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers },
    });
  }

  /** A JSON POST (the live preview's other format) with the token in its header. */
  postJson(path: string, value: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    return this.request('POST', path, {
      body: typeof value === 'string' ? value : JSON.stringify(value),
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.token, ...headers },
    });
  }
}

const dec = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * The fields of the bid form as a browser would submit them: inputs (checked boxes only), textareas
 * and selects outside row templates, without the submit buttons and the token.
 */
export function formFields(html: string): [string, string][] {
  const start = html.indexOf('<form method="post" action="/bids/');
  let form = html.slice(start, html.lastIndexOf('</form>') + 7);
  for (let prev = ''; prev !== form;) {
    prev = form;
    form = form.replace(/<template[^>]*>(?:(?!<template)[\s\S])*?<\/template>/g, '');
  }
  const out: [string, string][] = [];
  for (const m of form.matchAll(/<input ([^>]*)>/g)) {
    const a = m[1]!;
    const name = /\bname="([^"]+)"/.exec(a)?.[1];
    if (!name || name === '_csrf' || / form="/.test(a)) continue;
    const type = /\btype="([^"]+)"/.exec(a)?.[1];
    if (type === 'submit' || type === 'button') continue;
    if ((type === 'checkbox' || type === 'radio') && !/ checked/.test(a)) continue;
    if (/ disabled/.test(a)) continue;
    out.push([
      dec(name),
      dec(/\bvalue="([^"]*)"/.exec(a)?.[1] ?? (type === 'checkbox' ? 'on' : '')),
    ]);
  }
  for (const m of form.matchAll(/<textarea[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
    out.push([dec(m[1]!), dec(m[2]!.replace(/^\r?\n/, ''))]);
  for (const m of form.matchAll(/<select[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const sel =
      /<option value="([^"]*)"[^>]*\bselected\b/.exec(m[2]!) ??
      /<option value="([^"]*)"/.exec(m[2]!);
    out.push([dec(m[1]!), dec(sel?.[1] ?? '')]);
  }
  return out;
}

/** `fields` with the values of `edits` replacing (or adding) those named. */
export function withEdits(
  fields: [string, string][],
  edits: Record<string, string>,
): [string, string][] {
  const out = fields.filter(([k]) => !(k in edits));
  for (const [k, v] of Object.entries(edits)) out.push([k, v]);
  return out;
}
