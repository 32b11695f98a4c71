import type { Redis } from "ioredis";
import { primaries, type RedisClient } from "./connections";

/** What the startup check found about Redis writing to disk. */
export type PersistenceCheck =
  { status: "ephemeral" } | { status: "persistent"; settings: string[] } | { status: "unknown"; reason: string };

/** What the startup check found about Redis deleting keys when it reaches maxmemory. */
export type EvictionCheck =
  { status: "noeviction" } | { status: "evicts"; policy: string } | { status: "unknown"; reason: string };

/** `CONFIG GET name` from every primary (a Cluster's each hold their own rooms), in order. */
async function configEverywhere(redis: RedisClient, name: string): Promise<Array<{ node: string; value: string }>> {
  const nodes = await primaries(redis);
  return Promise.all(
    nodes.map(async (node: Redis) => {
      const [, value = ""] = (await node.config("GET", name)) as string[];
      return { node: `${node.options.host}:${node.options.port}`, value };
    }),
  );
}

/** Whether any primary writes snapshots or an append-only file: messages must never hit a disk. */
export async function checkPersistence(redis: RedisClient): Promise<PersistenceCheck> {
  try {
    const [saves, appendonly] = await Promise.all([
      configEverywhere(redis, "save"),
      configEverywhere(redis, "appendonly"),
    ]);
    const clustered = saves.length > 1;
    const where = (node: string) => (clustered ? ` on ${node}` : "");
    const settings: string[] = [];
    for (const { node, value } of saves) if (value) settings.push(`save "${value}"${where(node)}`);
    for (const { node, value } of appendonly) if (value === "yes") settings.push(`appendonly yes${where(node)}`);
    return settings.length > 0 ? { status: "persistent", settings } : { status: "ephemeral" };
  } catch (error) {
    // Managed Redis services often refuse CONFIG.
    return { status: "unknown", reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether any primary may delete keys (live rooms' among them) when it reaches maxmemory. */
export async function checkEviction(redis: RedisClient): Promise<EvictionCheck> {
  try {
    const policies = await configEverywhere(redis, "maxmemory-policy");
    const evicting = policies.find(({ value }) => value !== "noeviction");
    if (!evicting) return { status: "noeviction" };
    return { status: "evicts", policy: policies.length > 1 ? `${evicting.value} on ${evicting.node}` : evicting.value };
  } catch (error) {
    return { status: "unknown", reason: error instanceof Error ? error.message : String(error) };
  }
}
