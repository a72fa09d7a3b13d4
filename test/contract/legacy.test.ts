import { startLegacy } from '../kit/legacy.js';
import { describeFrontendContract } from './frontend-contract.js';

describeFrontendContract('legacy app', async () => {
  const legacy = await startLegacy();
  return { baseUrl: legacy.url, admin: legacy.admin, teardown: () => legacy.close() };
});
