import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Builds dist/ (which the real CLI and server run) once, before any file, when it is stale.
    globalSetup: ['test/global-setup.ts'],
    // Child processes, not worker threads: tests change the working directory and environment,
    // start servers, mount file systems and run Chromium, each file in a process of its own.
    pool: 'forks',
    // Vitest's default is cores − 1, which on a 2-core CI machine runs the files one at a time
    // while the second core mostly waits for the CLI processes, PDF renders and browser a test
    // started. Two files at a time keep both cores busy.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // Generous: two files share two cores with the processes they start, so a loaded machine is
    // the normal case. A limit is a hang detector, not a speed check (benchmarks are in bench/).
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
