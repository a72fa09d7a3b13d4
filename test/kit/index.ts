export { startServer, type RunningServer } from './server.js';
export { tempDir } from './temp.js';
export { ApiClient, type ClientResponse, type RequestOptions } from './client.js';
