export { createServices, type Services } from './services';
export {
  SystemService,
  SHOAL_VERSION,
  type SystemStatus,
  type DatabaseHealth,
} from './system/status';
