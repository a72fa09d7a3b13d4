type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at a dot path (`passport.user`, `user.id`) of session data, or undefined. */
export function getDotPath(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split('.')) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** Sets the value at a dot path, making the objects on the way; `__proto__`-style keys are refused. */
export function setDotPath(root: Obj, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = root;
  for (const [i, key] of keys.entries()) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new Error(`dot path "${path}" names a reserved key`);
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    node = isObject(next) ? next : (node[key] = {});
  }
}

/** A user id as a session keeps it: an id made of digits goes back as a number, as apps store them. */
export function sessionUserValue(sub: string): string | number {
  if (/^[1-9]\d{0,15}$/.test(sub) && Number.isSafeInteger(Number(sub))) return Number(sub);
  return sub;
}
