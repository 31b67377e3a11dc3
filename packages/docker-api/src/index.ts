export { ROUTES, startDockerApi, type DockerApi, type DockerApiOptions } from './server';
export { answerRawRequests } from './client-errors';
export { newRequestRecord, requestUrl, type RequestRecord } from './request-record';
export type { DockerApiServices } from './services';
export { readTlsFiles, type TlsOptions } from './tls';
export { MAX_API_VERSION, MIN_API_VERSION } from './version';
