export { MesosFramework, isTerminalState, TERMINAL_STATES } from './framework';
export type {
  FrameworkOptions,
  FrameworkStore,
  FrameworkListener,
  OfferRoundStats,
} from './framework';
export { OfferCapacity, totalResources, type Demand, type ResourceTotals } from './offer-capacity';
export { satisfiesConstraints, parseConstraints } from './constraints';
export { buildTaskInfo } from './task-info';
export type * from './types';
