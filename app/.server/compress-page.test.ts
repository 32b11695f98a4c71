import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compressPage } from "./compress-page";

const PAGE = `<!DOCTYPE html><html><body>${"<p>Ephemera · a room for two</p>".repeat(100)}</body></html>`;
const CHROME = "gzip, deflate, br, zstd";

describe("compressPage", () => {
  it("sends brotli to a browser that takes it, decoding to the page's exact bytes", () => {
    const { body, encoding } = compressPage(PAGE, CHROME);
    expect(encoding).toBe("br");
    expect(body.length).toBeLessThan(Buffer.byteLength(PAGE) / 4);
    expect(brotliDecompressSync(body).toString()).toBe(PAGE);
  });

  it("sends gzip where brotli is refused or not offered, decoding to the page", () => {
    for (const accepted of ["gzip", "br;q=0, gzip", "gzip;q=1, br;q=0.5"]) {
      const { body, encoding } = compressPage(PAGE, accepted);
      expect({ accepted, encoding }).toEqual({ accepted, encoding: "gzip" });
      expect(gunzipSync(body).toString()).toBe(PAGE);
    }
  });

  it("sends the page as it is when nothing it offers is accepted, or the page is tiny", () => {
    for (const accepted of [null, "", "identity", "deflate", "br;q=0, gzip;q=0"]) {
      const { body, encoding } = compressPage(PAGE, accepted);
      expect({ accepted, encoding }).toEqual({ accepted, encoding: undefined });
      expect(Buffer.from(body).toString()).toBe(PAGE);
    }
    expect(compressPage("<p>hi</p>", CHROME)).toEqual({ body: new Uint8Array(Buffer.from("<p>hi</p>")) });
  });
});
