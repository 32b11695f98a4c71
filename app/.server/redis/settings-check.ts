import type { Redis } from "ioredis";

/** What the startup check found about Redis writing to disk. */
export type PersistenceCheck =
  { status: "ephemeral" } | { status: "persistent"; settings: string[] } | { status: "unknown"; reason: string };

/** What the startup check found about Redis deleting keys when it reaches maxmemory. */
export type EvictionCheck =
  { status: "noeviction" } | { status: "evicts"; policy: string } | { status: "unknown"; reason: string };

/** Whether this Redis writes snapshots or an append-only file: messages must never hit a disk. */
export async function checkPersistence(redis: Redis): Promise<PersistenceCheck> {
  try {
    const save = (await redis.config("GET", "save")) as string[];
    const appendonly = (await redis.config("GET", "appendonly")) as string[];
    const settings: string[] = [];
    if (save[1]) settings.push(`save "${save[1]}"`);
    if (appendonly[1] === "yes") settings.push("appendonly yes");
    return settings.length > 0 ? { status: "persistent", settings } : { status: "ephemeral" };
  } catch (error) {
    // Managed Redis services often refuse CONFIG.
    return { status: "unknown", reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether this Redis may delete keys (live rooms' among them) when it reaches maxmemory. */
export async function checkEviction(redis: Redis): Promise<EvictionCheck> {
  try {
    const [, policy = ""] = (await redis.config("GET", "maxmemory-policy")) as string[];
    return policy === "noeviction" ? { status: "noeviction" } : { status: "evicts", policy };
  } catch (error) {
    return { status: "unknown", reason: error instanceof Error ? error.message : String(error) };
  }
}
