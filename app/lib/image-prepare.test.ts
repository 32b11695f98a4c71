import { describe, expect, it } from "vitest";
import { encodingAttempts, fitWithin, IMAGE_MAX_SIDE } from "./image-prepare";

describe("fitWithin", () => {
  it("scales the longer side down to the limit and keeps the aspect ratio", () => {
    expect(fitWithin(1600, 1000, 1280)).toEqual({ width: 1280, height: 800 });
    expect(fitWithin(1000, 4000, 1280)).toEqual({ width: 320, height: 1280 });
  });

  it("never enlarges a small image, and never reaches zero", () => {
    expect(fitWithin(640, 480, 1280)).toEqual({ width: 640, height: 480 });
    expect(fitWithin(10_000, 1, 1280)).toEqual({ width: 1280, height: 1 });
  });
});

describe("encodingAttempts", () => {
  it("starts at full size within the limit and good quality, and only ever gets smaller", () => {
    const attempts = encodingAttempts(4000, 3000);
    expect(attempts[0]).toEqual({ width: IMAGE_MAX_SIDE, height: 960, quality: 0.85 });
    for (let index = 1; index < attempts.length; index += 1) {
      const [before, now] = [attempts[index - 1]!, attempts[index]!];
      const smaller = now.width < before.width || (now.width === before.width && now.quality < before.quality);
      expect(smaller, `attempt ${index}`).toBe(true);
    }
    expect(Math.max(...attempts.map((attempt) => attempt.width))).toBeLessThanOrEqual(IMAGE_MAX_SIDE);
  });
});
