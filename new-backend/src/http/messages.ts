import { BODY_MESSAGES } from '../../../lib/http/body-messages.js';
import { CONTRACT_MESSAGES } from '../../../lib/http/contract-messages.js';

/** Messages the frontend contract pins (docs/frontend-contract.md): the legacy app's, word for word. */
export const MESSAGES = {
  ...CONTRACT_MESSAGES,
  ...BODY_MESSAGES,
} as const;
