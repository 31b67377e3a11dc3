export { MesosFramework, isTerminalState } from './framework';
export type { FrameworkOptions, FrameworkStore, FrameworkListener, OfferRoundStats } from './framework';
export { OfferCapacity, type Demand } from './offer-capacity';
export { satisfiesConstraints, parseConstraints } from './constraints';
export { buildTaskInfo } from './task-info';
export type * from './types';
