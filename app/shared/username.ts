/**
 * Username rules, the same in the sign-up form and on the server. Imports nothing: the browser
 * bundle includes it.
 */
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 24;

// Checked on the name as typed, before lowercasing: some non-ASCII letters lowercase to ASCII
// (the Kelvin sign U+212A becomes "k"), and must not become someone else's name.
const ALLOWED = new RegExp(`^[A-Za-z0-9_]{${USERNAME_MIN},${USERNAME_MAX}}$`);

export type UsernameCheck = { ok: true; username: string } | { ok: false; problem: string };

/**
 * A valid name in its stored form (lowercase: "Alice" and "alice" are one account), or a sentence
 * saying what is wrong with it.
 */
export function checkUsername(input: string): UsernameCheck {
  if (input.length < USERNAME_MIN) {
    return { ok: false, problem: `A username needs at least ${USERNAME_MIN} characters.` };
  }
  if (input.length > USERNAME_MAX) {
    return { ok: false, problem: `A username has at most ${USERNAME_MAX} characters.` };
  }
  if (!ALLOWED.test(input)) {
    return { ok: false, problem: "A username may hold only letters a-z, digits and underscores." };
  }
  return { ok: true, username: input.toLowerCase() };
}

/** The stored form of a valid name, or null: for lookups, where a bad name simply matches nobody. */
export function normalizeUsername(input: string): string | null {
  const check = checkUsername(input);
  return check.ok ? check.username : null;
}
