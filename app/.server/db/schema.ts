/**
 * Everything PostgreSQL holds: accounts, their sessions and their blocks. Rooms, chats and
 * messages never come here; they live in Redis (or memory) and expire.
 *
 * After changing this file: `npx drizzle-kit generate --name <what-changed>` and check in the SQL.
 */
import { sql } from "drizzle-orm";
import {
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

/** Binary columns as Uint8Array (Drizzle has no built-in bytea); pg hands back Buffers. */
const bytea = customType<{ data: Uint8Array; driverData: Buffer }>({
  dataType: () => "bytea",
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value),
});

/** One public key as stored: the algorithm name and the raw key in base64url. */
export interface PublicKeyColumn {
  algorithm: string;
  publicKey: string;
}

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull();

export const accounts = pgTable(
  "accounts",
  {
    id: uuid("id").primaryKey(),
    /** Lowercase, so a plain unique index makes names unique without regard to case. */
    username: text("username").notNull().unique("accounts_username_unique"),
    kdfAlgorithm: text("kdf_algorithm").notNull(),
    kdfIterations: integer("kdf_iterations").notNull(),
    salt: bytea("salt").notNull(),
    /** argon2id PHC string of the browser's auth key: never the password, never the auth key. */
    verifier: text("verifier").notNull(),
    /**
     * The identity's public halves, `[{ algorithm, publicKey }]` (raw keys in base64url): readable,
     * since people who find the account need them.
     */
    publicKeys: jsonb("public_keys").$type<PublicKeyColumn[]>().notNull(),
    /**
     * The identity as the browser wrapped it (private halves under a key only the password
     * gives), sealed again by the server (AES-256-GCM under a key from its secret, see
     * accounts/identity-seal.ts): a copy of the database alone is no check for password guesses.
     */
    sealedIdentity: bytea("sealed_identity").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    check("accounts_username_lowercase", sql`${table.username} = lower(${table.username})`),
    check("accounts_kdf_iterations_positive", sql`${table.kdfIterations} > 0`),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** SHA-256 of the cookie's token: a stolen table signs nobody in. */
    tokenHash: bytea("token_hash").notNull().unique("sessions_token_hash_unique"),
    /** "Chrome on Linux" and the like. No IP address is stored. */
    userAgent: text("user_agent").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    index("sessions_account_id_idx").on(table.accountId),
    index("sessions_expires_at_idx").on(table.expiresAt),
  ],
);

export const blocks = pgTable(
  "blocks",
  {
    blockerId: uuid("blocker_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    blockedId: uuid("blocked_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ name: "blocks_pkey", columns: [table.blockerId, table.blockedId] }),
    // The cascade from a deleted account, and "who blocked me", look blocks up by the blocked side.
    index("blocks_blocked_id_idx").on(table.blockedId),
    check("blocks_not_self", sql`${table.blockerId} <> ${table.blockedId}`),
  ],
);
