export { createServices, type Services } from './services';
export { ShoalError, type ShoalErrorCode } from './errors';
export {
  SystemService,
  SHOAL_VERSION,
  type SystemStatus,
  type DatabaseHealth,
} from './system/status';
export {
  TenantService,
  defaultRoleFor,
  validateRoleName,
  type TenantQuota,
} from './tenants/tenant-service';
export {
  TokenService,
  type IssuedToken,
  type TokenIdentity,
  type TokenRejection,
} from './tokens/token-service';
export { UserService } from './users/user-service';
export { hashPassword, verifyPassword, generatePassword } from './users/passwords';
export { seedFirstStart, ADMIN_EMAIL, type FirstStartResult } from './seed/first-start';
export * from './containers/types';
export * from './containers/cluster-view';
export { ContainerEventBus } from './events/event-bus';
