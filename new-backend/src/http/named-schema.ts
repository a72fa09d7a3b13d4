import type { ZodType } from 'zod';

export interface SchemaName {
  readonly id: string;
  readonly description?: string;
}

const names = new WeakMap<ZodType, SchemaName>();

/**
 * Names a zod schema for the OpenAPI document: it becomes `#/components/schemas/<id>`
 * and routes refer to it. Returns the same schema, so it reads as a declaration.
 */
export function named<T extends ZodType>(schema: T, id: string, description?: string): T {
  names.set(schema, description === undefined ? { id } : { id, description });
  return schema;
}

export function schemaName(schema: ZodType): SchemaName | undefined {
  return names.get(schema);
}
