/**
 * The auth and users messages the frontend contract pins (docs/frontend-contract.md): the
 * legacy app's words, which the new backend answers identically. One table for both, as
 * the /mcp messages are (lib/mcp-commands/command-messages.ts).
 */
export const CONTRACT_MESSAGES = {
  notAuthenticated: 'Not authenticated',
  forbidden: 'Insufficient permissions',
  notFound: 'Not found',
  userNotFound: 'User not found',
  loginRequired: 'Username and password are required',
  badCredentials: 'Incorrect username or password',
  tooManyLogins: 'Too many login attempts, try again later',
  crossSiteForm: 'Cross-site form post refused: send the form from this site\'s own page',
  loggedOut: 'Logged out successfully',
  createRequired: 'Username, name, email and password are required',
  username: 'Username must be 3-32 characters: letters, digits, dot, dash or underscore',
  name: 'Name must be 1-100 characters',
  email: 'Invalid email address',
  password: 'Password must be 8-200 characters',
  role: 'Role must be admin or user',
  usernameTaken: 'Username already exists',
  emailTaken: 'Email already exists',
  cannotDeleteSelf: 'Cannot delete yourself',
} as const;
