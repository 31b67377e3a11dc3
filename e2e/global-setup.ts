import { startStack } from './stack';

// Boots the product once for the suite; tests find it through these variables.
export default async function globalSetup(): Promise<() => Promise<void>> {
  const stack = await startStack();
  process.env.SHOAL_E2E_BASE_URL = stack.baseURL;
  process.env.SHOAL_E2E_API_URL = stack.apiURL;
  process.env.SHOAL_E2E_DOCKER_URL = stack.dockerURL;
  process.env.SHOAL_E2E_ADMIN_PASSWORD = stack.adminPassword;
  process.env.SHOAL_E2E_DATABASE_URL = stack.databaseURL;
  return stack.stop;
}
