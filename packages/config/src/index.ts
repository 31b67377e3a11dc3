export { loadEnv, EnvError, type ShoalEnv } from './env';
