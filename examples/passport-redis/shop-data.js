// The shop's data, shared by both apps as a real app's database would be. Demo users only:
// a real app keeps password hashes, not passwords.
import { createHash, timingSafeEqual } from 'node:crypto';

export const users = [
  { id: 1, username: 'ada', password: 'lovelace-1843', role: 'admin', team: 'ops' },
  { id: 2, username: 'grace', password: 'hopper-1952', role: 'member', team: 'compilers' },
];

export const orders = [
  { id: 101, userId: 1, item: 'mechanical keyboard', total: 129 },
  { id: 102, userId: 1, item: 'monitor arm', total: 59 },
  { id: 201, userId: 2, item: 'compiler textbook', total: 89 },
];

export function findUser(id) {
  return users.find((u) => u.id === id);
}

/** Compares digests, so the time taken says nothing about how much of the password matched. */
export function checkPassword(username, password) {
  const user = users.find((u) => u.username === username);
  const digest = (s) => createHash('sha256').update(String(s)).digest();
  const ok = timingSafeEqual(digest(user ? user.password : ''), digest(password ?? ''));
  return user && ok ? user : undefined;
}

/** What both apps answer for GET /me: the same body, whoever serves it. */
export function profile(user, claims) {
  return { id: user.id, username: user.username, role: claims.role, team: claims.team };
}

export function ordersOf(userId) {
  return orders.filter((o) => o.userId === userId);
}
