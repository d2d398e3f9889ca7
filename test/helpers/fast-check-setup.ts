// Property tests: bounded run time, and the seed printed on failure so a case can be replayed.
import fc from 'fast-check';

fc.configureGlobal({ numRuns: 100, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true });
