import { existsSync } from "node:fs";

/**
 * Reads `.env` from the working directory into `process.env`, as `.env.example` tells operators
 * to make one. A variable already in the environment wins, even when empty (`process.loadEnvFile`
 * never overrides one): a platform's dashboard or a shell's `VAR=… npm start` beats the file.
 * Returns whether there was a file.
 */
export function loadEnvFileIfPresent(file = ".env"): boolean {
  if (!existsSync(file)) return false;
  if (typeof process.loadEnvFile !== "function") throw new Error(`reading ${file} needs Node.js 20.12 or later`);
  process.loadEnvFile(file);
  return true;
}
