import { z } from 'zod';
import { MESSAGES } from '../http/messages.js';
import { named } from '../http/named-schema.js';
import { byField, validate, type Validation } from '../http/validate.js';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ID_PATTERN = /^[1-9][0-9]{0,15}$/;

const ROLES = ['admin', 'user'] as const;
const role = z.enum(ROLES).describe(MESSAGES.role);
const nameRule = z.string().trim().min(1).max(100).describe(MESSAGES.name);
const emailRule = z.string().trim().max(254).regex(EMAIL_PATTERN).describe(MESSAGES.email);
const passwordRule = z.string().min(8).max(200).describe(MESSAGES.password);

export const User = named(
  z.object({ id: z.number().int().positive(), username: z.string(), name: z.string(), email: z.string(), role: z.enum(ROLES) }),
  'User',
  'A user, keys in this order; never the password hash.',
);
export const UserList = named(z.array(User), 'UserList', 'Every user, ordered by id.');

/** Rule 1 of the contract, on its own: it wins over every format rule. */
const NewUserPresent = z.object({ username: z.string().min(1), name: z.string().min(1), email: z.string().min(1), password: z.string().min(1) });

export const NewUser = named(
  z.object({
    username: z.string().regex(USERNAME_PATTERN).describe(MESSAGES.username),
    name: nameRule,
    email: emailRule,
    password: passwordRule,
    role: role.optional(),
  }),
  'NewUser',
  'Name and email are stored trimmed; role defaults to user; unknown fields are ignored.',
);

export const UserChanges = named(
  z.object({ name: nameRule.optional(), email: emailRule.optional(), password: passwordRule.optional(), role: role.optional() }),
  'UserChanges',
  'Only the fields present change. `username` cannot change (ignored); `role` is for admins only (403 otherwise). A new password refuses every token issued before it.',
);

export const UserIdParam = z.string().regex(ID_PATTERN).describe('A positive integer; anything else is a user that does not exist (404).');

const FIELD_MESSAGES = { username: MESSAGES.username, name: MESSAGES.name, email: MESSAGES.email, password: MESSAGES.password, role: MESSAGES.role };

export type NewUserInput = z.infer<typeof NewUser>;
export type UserChangesInput = z.infer<typeof UserChanges>;

/** The contract's POST /users rules, first failure wins. */
export function validateNewUser(body: unknown): Validation<NewUserInput> {
  if (!NewUserPresent.safeParse(body).success) return { ok: false, message: MESSAGES.createRequired };
  return validate(NewUser, body, byField(FIELD_MESSAGES, MESSAGES.createRequired));
}

/** Rules 3–6 for the fields present; a field present but not a string fails its rule. */
export function validateUserChanges(body: unknown): Validation<UserChangesInput> {
  return validate(UserChanges, body, byField(FIELD_MESSAGES, MESSAGES.name));
}

/** A path id the contract accepts, or undefined (treated as a user that does not exist). */
export function parseUserId(raw: unknown): number | undefined {
  if (!UserIdParam.safeParse(raw).success) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : undefined;
}
