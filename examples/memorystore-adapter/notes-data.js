// The notes app's data, shared by both apps as a real app's database would be. Demo users
// only: a real app keeps password hashes, not passwords.
import { createHash, timingSafeEqual } from 'node:crypto';

export const users = [
  { id: 1, username: 'ada', password: 'lovelace-1843', role: 'admin', name: 'Ada Lovelace' },
  { id: 2, username: 'alan', password: 'turing-1936', role: 'editor', name: 'Alan Turing' },
];

const notes = [
  { id: 11, userId: 1, text: 'analytical engine: order more cards' },
  { id: 12, userId: 1, text: 'note G: check the Bernoulli table' },
  { id: 21, userId: 2, text: 'on computable numbers: proofread' },
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

/** What the app keeps in req.session.user, and what GET /me answers on either side. */
export function sessionUser(user) {
  return { id: user.id, role: user.role, name: user.name };
}

export function notesOf(userId) {
  return notes.filter((n) => n.userId === userId);
}
