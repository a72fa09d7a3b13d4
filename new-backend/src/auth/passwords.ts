import bcrypt from 'bcryptjs';

export interface Passwords {
  hash(password: string): Promise<string>;
  /** False for an unknown user too, after the same bcrypt work, so timing does not tell which usernames exist. */
  verify(password: string, hash: string | undefined): Promise<boolean>;
}

/** bcrypt, as the legacy app hashes (its hashes verify here and ours there). Cost 10 by default. */
export function createPasswords(rounds = 10): Passwords {
  const dummyHash = bcrypt.hashSync('not a password', rounds);
  return {
    hash: (password) => bcrypt.hash(password, rounds),
    async verify(password, hash) {
      const matches = await bcrypt.compare(password, hash ?? dummyHash);
      return matches && hash !== undefined;
    },
  };
}
