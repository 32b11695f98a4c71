import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate --name <what-changed>` writes SQL migrations from the schema; they are
// checked in and applied at startup (app/.server/db/migrate.ts). Generating needs no database.
export default defineConfig({
  dialect: "postgresql",
  schema: "./app/.server/db/schema.ts",
  out: "./app/.server/db/migrations",
});
