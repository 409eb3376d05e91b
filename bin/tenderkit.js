#!/usr/bin/env node
// Entry point: runs the compiled CLI (built by `npm install` through the `prepare` script).
import v8 from 'node:v8';

// A command runs for a second or two. V8's default interrupt budget suits long-running programs;
// a larger one makes it optimise only code that runs often, so it spends far less CPU compiling
// code that runs a few times (measured in bench/, see README “Performance”). `serve` keeps the default.
if (process.argv[2] !== 'serve') v8.setFlagsFromString('--interrupt-budget=1081344');

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
