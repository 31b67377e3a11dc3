/**
 * What this process has done, for benchmarks (`GET /sim/v1/process`): the scheduler calls
 * it answered, by type, each an HTTP round trip, and the offers it made, each sent,
 * decoded and accepted or declined. Counted per process, across masters and restarts.
 */
export const processCounts = {
  schedulerCalls: new Map<string, number>(),
  offersMade: 0,
};
