import assert from 'node:assert/strict';
import { ApiClient } from '../kit/client.js';
import { newUser, signIn, type McpActor, type McpTarget } from './mcp-target.js';

/** The suite's view of one target; users are made per test so order never matters. */
export class McpContext {
  #target: McpTarget | undefined;
  #admin: Promise<McpActor> | undefined;

  set(target: McpTarget | undefined): void {
    this.#target = target;
    this.#admin = undefined;
  }

  get target(): McpTarget {
    assert.ok(this.#target, 'mcp target not set up: describeMcpContract() must run setup() first');
    return this.#target;
  }

  /** The seeded admin, signed in once per target. */
  admin(): Promise<McpActor> {
    return (this.#admin ??= signIn(this.target, this.target.admin.username, this.target.admin.password));
  }

  /** A browser with no credential. */
  anonymous(): ApiClient {
    return new ApiClient(this.target.baseUrl);
  }

  async user(role: 'admin' | 'user' = 'user'): Promise<McpActor> {
    return newUser(this.target, await this.admin(), role);
  }

  /** A file name no other test uses, for commands that change the workspace. */
  file(prefix: string): string {
    return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  }
}
