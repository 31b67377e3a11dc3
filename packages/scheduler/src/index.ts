export { MesosFramework } from './framework';
export { isTerminalState, TERMINAL_STATES } from './task-states';
export type {
  FrameworkOptions,
  FrameworkStore,
  FrameworkListener,
  OfferRoundStats,
} from './framework-contract';
export { OfferCapacity, totalResources, type Demand, type ResourceTotals } from './offer-capacity';
export {
  satisfiesConstraints,
  parseConstraints,
  patternFault,
  PATTERN_LIMITS,
} from './constraints';
export { buildTaskInfo } from './task-info';
export {
  whyNeverPlaced,
  whyNotPlacedNow,
  type AgentInventory,
  type PlacementNeeds,
} from './placement-check';
export type * from './types';
