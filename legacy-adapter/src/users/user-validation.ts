/**
 * Input rules for login and user writes, in the order docs/frontend-contract.md pins:
 * the first failing rule's message is the answer. Pure, so the rules are a table test.
 */

import { CONTRACT_MESSAGES as MESSAGES } from '../../../lib/http/contract-messages.js';

export { MESSAGES };

export type Role = 'admin' | 'user';

export type Validation<T> = { ok: true; value: T } | { ok: false; message: string };

export interface LoginInput {
  readonly username: string;
  readonly password: string;
}

export interface NewUserInput {
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly password: string;
  readonly role: Role;
}

export interface UserChanges {
  readonly name?: string;
  readonly email?: string;
  readonly password?: string;
  readonly role?: Role;
}

type Body = Readonly<Record<string, unknown>>;

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateLogin(body: Body): Validation<LoginInput> {
  const { username, password } = body;
  if (!isFilled(username) || !isFilled(password)) return fail(MESSAGES.loginRequired);
  return { ok: true, value: { username, password } };
}

export function validateNewUser(body: Body): Validation<NewUserInput> {
  const { username, name, email, password } = body;
  if (!isFilled(username) || !isFilled(name) || !isFilled(email) || !isFilled(password)) {
    return fail(MESSAGES.createRequired);
  }
  if (!USERNAME.test(username)) return fail(MESSAGES.username);
  const fields = checkFields({ name, email, password, ...(has(body, 'role') ? { role: body.role } : {}) });
  if (!fields.ok) return fields;
  return { ok: true, value: { username, role: 'user', ...fields.value } as NewUserInput };
}

/** Only the fields present are checked; a present field that is not a string fails its rule. */
export function validateUserChanges(body: Body): Validation<UserChanges> {
  const present: Record<string, unknown> = {};
  for (const key of ['name', 'email', 'password', 'role'] as const) {
    if (has(body, key)) present[key] = body[key];
  }
  return checkFields(present);
}

/** Rules 3-6, in order, for the fields given. */
function checkFields(fields: Record<string, unknown>): Validation<UserChanges> {
  const out: { name?: string; email?: string; password?: string; role?: Role } = {};
  if (has(fields, 'name')) {
    const name = typeof fields.name === 'string' ? fields.name.trim() : '';
    if (name.length < 1 || name.length > 100) return fail(MESSAGES.name);
    out.name = name;
  }
  if (has(fields, 'email')) {
    const email = typeof fields.email === 'string' ? fields.email.trim() : '';
    if (email.length > 254 || !EMAIL.test(email)) return fail(MESSAGES.email);
    out.email = email;
  }
  if (has(fields, 'password')) {
    const password = fields.password;
    if (typeof password !== 'string' || password.length < 8 || password.length > 200) return fail(MESSAGES.password);
    out.password = password;
  }
  if (has(fields, 'role')) {
    if (fields.role !== 'admin' && fields.role !== 'user') return fail(MESSAGES.role);
    out.role = fields.role;
  }
  return { ok: true, value: out };
}

function isFilled(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function has(body: Body, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(body, key);
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
