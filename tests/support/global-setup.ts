import type { TestProject } from "vitest/node";
import { startPostgresServer } from "./postgres-server";
import { startRedisServer } from "./redis-server";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    /** The suite's own PostgreSQL, for making databases (createTestDatabase); never tested in directly. */
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
  project.provide("redisUrl", redis.url);
  project.provide("postgresAdminUrl", postgres.adminUrl);
  return async () => {
    await Promise.all([redis.stop(), postgres.stop()]);
  };
}
