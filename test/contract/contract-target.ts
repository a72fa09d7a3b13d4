import assert from 'node:assert/strict';
import { ApiClient, type ClientResponse } from '../kit/client.js';
import { uniqueName } from '../kit/unique.js';

/** What a routing under test hands the suite: where the frontend points, and who the admin is. */
export interface ContractTarget {
  /** The URL the frontend would use (the legacy app, a backend, or the proxy). */
  readonly baseUrl: string;
  readonly admin: { readonly username: string; readonly password: string };
  /** Called before every test, e.g. to flip routing between tests. */
  readonly beforeEach?: () => Promise<void> | void;
  teardown(): Promise<void> | void;
}

export type ContractSetup = () => Promise<ContractTarget>;

export interface TestUser {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly password: string;
  readonly role: 'admin' | 'user';
  /** A client logged in as this user. */
  readonly client: ApiClient;
}

export const USER_KEYS = ['id', 'username', 'name', 'email', 'role'];

/** The suite's view of one target: clients and users built the way a frontend would. */
export class ContractContext {
  #target: ContractTarget | undefined;

  set(target: ContractTarget | undefined): void {
    this.#target = target;
  }

  get target(): ContractTarget {
    assert.ok(this.#target, 'contract target not set up: describeFrontendContract() must run setup() first');
    return this.#target;
  }

  /** A browser with no cookies yet. */
  client(): ApiClient {
    return new ApiClient(this.target.baseUrl);
  }

  async admin(): Promise<ApiClient> {
    const client = this.client();
    const res = await client.login(this.target.admin.username, this.target.admin.password);
    assert.equal(res.status, 200, `admin login failed: ${res.status} ${res.text}`);
    return client;
  }

  /** Creates a user through the API (as admin) and logs a fresh client in as them. */
  async user(overrides: { role?: 'admin' | 'user'; password?: string } = {}): Promise<TestUser> {
    const admin = await this.admin();
    const username = uniqueName('u');
    const password = overrides.password ?? `pw-${username}`;
    const created = await admin.post('/users', {
      username,
      name: `Test ${username}`,
      email: `${username}@example.test`,
      password,
      ...(overrides.role ? { role: overrides.role } : {}),
    });
    assert.equal(created.status, 201, `creating ${username} failed: ${created.status} ${created.text}`);
    const client = this.client();
    const login = await client.login(username, password);
    assert.equal(login.status, 200, `login as ${username} failed: ${login.status} ${login.text}`);
    return { ...(created.body as Omit<TestUser, 'client' | 'password'>), password, client };
  }
}

/** The response is the contract's error: this status, JSON, exactly `{"error": message}`. */
export function assertError(res: ClientResponse, status: number, message: string): void {
  assert.equal(res.status, status, `expected ${status} ${message}, got ${res.status} ${res.text.slice(0, 200)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `expected JSON, got ${res.headers.get('content-type')}: ${res.text.slice(0, 200)}`);
  assert.deepEqual(res.body, { error: message });
}

/** A user object: exactly the contract's keys, in order, never a password. */
export function assertUser(value: unknown, expected?: Partial<Record<string, unknown>>): void {
  assert.ok(value && typeof value === 'object', `expected a user object, got ${JSON.stringify(value)}`);
  assert.deepEqual(Object.keys(value), USER_KEYS);
  if (expected) {
    for (const [key, v] of Object.entries(expected)) assert.deepEqual((value as Record<string, unknown>)[key], v, `user.${key}`);
  }
}
