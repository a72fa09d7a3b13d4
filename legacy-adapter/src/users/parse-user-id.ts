/** A path id the contract accepts: a positive integer in decimal, nothing else ("01", "1e3", "-1" are not). */
export function parseUserId(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,15}$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : undefined;
}
