#!/usr/bin/env node
// Entry point: runs the compiled CLI (built by `npm install` through the `prepare` script: tsc,
// then scripts/bundle.mjs).
import v8 from 'node:v8';

// A command runs for a second or two. V8's default interrupt budget suits long-running programs;
// a larger one makes it optimise only code that runs often, so it spends far less CPU compiling
// code that runs a few times (measured in bench/, see README “Performance”). `serve` keeps the default.
if (process.argv[2] !== 'serve') v8.setFlagsFromString('--interrupt-budget=1081344');

// A reader that stops early (`tenderkit clauses show … | head -3`) closes the pipe: the rest of the
// output is not wanted, so the command ends quietly rather than with a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });

// From the bundle with V8's code cache when it is current, else from dist/ (src/cli/launch.ts).
const { launch } = await import('../dist/cli/launch.js');
process.exitCode = await launch(process.argv.slice(2));
