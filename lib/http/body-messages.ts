/** What both backends answer when a request body cannot be taken (docs/frontend-contract.md). */
export const BODY_MESSAGES = {
  tooLarge: 'Request body too large',
  invalidJson: 'Invalid JSON body',
  contentType: 'Unsupported content type: send application/json',
  encoding: 'Unsupported content encoding: send the body uncompressed, gzip or deflate',
  charset: 'Unsupported charset: send UTF-8',
  internal: 'Internal server error',
} as const;
