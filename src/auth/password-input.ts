// Reading a new password for `tenderkit users add|passwd`: on a terminal, asked twice without
// echo; otherwise two lines from standard input (password, then the same again), so scripts can
// pipe it in and it never appears in the process list or the shell history.
import { fail } from '../diagnostics/diagnostic.js';

const MAX_INPUT = 64 * 1024;
/** The new password and its repetition differ (here and on the web's 修改密码 page). */
export const PASSWORDS_DIFFER = '两次输入的密码不一致';

/**
 * Reads lines from a terminal with echo off (raw mode from before the first prompt until after the
 * last line, so nothing typed ahead is echoed); Ctrl-C, or Ctrl-D on an empty line, cancels.
 */
function readHidden(
  input: NodeJS.ReadStream,
  prompts: readonly string[],
  err: (s: string) => void,
) {
  return new Promise<string[]>((resolve, reject) => {
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.setEncoding('utf8');
    const lines: string[] = [];
    let value = '';
    err(prompts[0]!);
    const done = (e?: Error) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      if (e) {
        err('\n');
        reject(e);
      } else resolve(lines);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          lines.push(value);
          value = '';
          err('\n');
          if (lines.length === prompts.length) return done();
          err(prompts[lines.length]!);
        } else if (ch === '\u0003' || (ch === '\u0004' && !value))
          return done(Object.assign(new Error('已取消'), { cancelled: true }));
        else if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ' && value.length < 1000) value += ch;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of input) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    size += b.length;
    if (size > MAX_INPUT) fail('PasswordRejected', '标准输入过长：应只有两行（密码，再输入一次）');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A new password, entered twice; mismatches and missing lines are PasswordRejected. */
export async function readNewPassword(
  err: (s: string) => void,
  input: NodeJS.ReadStream = process.stdin,
): Promise<string> {
  if (input.isTTY) {
    const [a, b] = await readHidden(
      input,
      ['新密码（至少 10 个字符，输入时不显示）：', '再次输入新密码：'],
      err,
    );
    if (a === undefined || a !== b) fail('PasswordRejected', PASSWORDS_DIFFER);
    return a;
  }
  const lines = (await readAll(input)).replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length < 2 || (lines.length === 2 && lines[1] === '' && lines[0] !== ''))
    fail('PasswordRejected', '标准输入应有两行：第一行是密码，第二行再输入一次');
  const [a, b] = lines as [string, string];
  if (a !== b) fail('PasswordRejected', PASSWORDS_DIFFER);
  return a;
}
