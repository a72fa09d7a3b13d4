import { startNewBackend } from '../kit/new-backend.js';
import { TEST_SESSION_SECRETS } from '../kit/legacy.js';
import { startSessionBridgeAdapter } from '../kit/session-bridge-adapter.js';
import { describeFrontendContract } from './frontend-contract.js';

// The whole frontend contract against the new backend. The suite speaks as a browser (a
// cookie jar), the backend as an API (bearer tokens only): a minimal bridge in front does
// the cookie ↔ token exchange of DESIGN §6 through the backend's X-Auth-Token and
// X-Auth-Logout headers, so every status, body and cookie is the new backend's own answer.
describeFrontendContract('new backend (behind a minimal session bridge)', async () => {
  const nb = await startNewBackend();
  const bridge = await startSessionBridgeAdapter({ backendUrl: nb.url, db: nb.sqlite, tokens: nb.tokens, sessionSecrets: TEST_SESSION_SECRETS });
  return {
    baseUrl: bridge.url,
    admin: nb.admin,
    async teardown() {
      await bridge.closeAll();
      await nb.close();
    },
  };
});
