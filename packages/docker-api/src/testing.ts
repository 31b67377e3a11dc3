// For tests in other workspaces that speak to a Docker API below any client library.
export { rawRequest, type RawResponse } from './test-support/raw-http';
