import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startAppServer } from "../support/app-server";
import { Visitor } from "../support/visitor";

describe("settings in .env", () => {
  const dir = mkdtempSync(join(tmpdir(), "ephemera-env-file-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are read from the working directory, and a variable set in the real environment wins", async () => {
    const token = "token-from-the-env-file-0123";
    writeFileSync(join(dir, ".env"), `# as copied from .env.example\nMETRICS_TOKEN=${token}\nROOM_TTL_SECONDS=30\n`);
    const server = await startAppServer({ ROOM_TTL_SECONDS: "600" }, undefined, [], { cwd: dir });
    try {
      // Only in the file: metrics are on, behind its token.
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        200,
      );
      // In both: the environment's 600 s, not the file's 30.
      const visitor = new Visitor(server.url);
      const { roomId } = await visitor.trpc.room.create.mutate({});
      await visitor.open(`/room/${roomId}`);
      const { ttl } = await visitor.trpc.room.ttl.query({ roomId });
      expect(ttl).toBeGreaterThan(590);
      expect(server.output()).toContain("read settings from .env");
    } finally {
      await server.stop();
    }
  });
});
