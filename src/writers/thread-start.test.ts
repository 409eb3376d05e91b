// When a build writes its PDFs on a second thread (thread-start.ts `threadWanted`).
import { describe, expect, it } from 'vitest';
import { threadWanted } from './thread-start.js';

describe('the PDF thread is started', () => {
  it('where a second core is free, unless told otherwise', () => {
    // [TENDERKIT_THREADS, cores, load average of the last minute] → a second thread?
    const cases: [string | undefined, number, number, boolean][] = [
      [undefined, 2, 0.3, true], // idle 2-core machine
      [undefined, 2, 2.9, true],
      [undefined, 2, 3.0, false], // 1.5 runnable processes per core: both cores spoken for
      [undefined, 2, 6.5, false],
      [undefined, 1, 0, false], // one core
      [undefined, 8, 11, true],
      ['0', 8, 0, false], // told: one thread
      ['1', 1, 9, true], // told: the thread, whatever the machine
      ['', 2, 0, true], // empty: as unset
      ['yes', 2, 0, true], // not 0/1: as unset
    ];
    for (const [asked, cores, load, wanted] of cases)
      expect(threadWanted(asked, cores, load), `${asked} ${cores} ${load}`).toBe(wanted);
  });
});
