// For tests in other workspaces that drive a Docker API below any client library, through the
// real docker CLI, or against the Docker Engine API's published schema.
export { dockerCli, pastEvents, type CliRun, type DockerCli } from './test-support/docker-cli';
export { ENGINE_API, mismatches } from './test-support/openapi';
export { rawRequest, type RawResponse } from './test-support/raw-http';
