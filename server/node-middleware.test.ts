import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { runChain, type NodeMiddleware } from "./node-middleware";

const req = {} as IncomingMessage;
const res = {} as ServerResponse;

describe("runChain", () => {
  it("runs the middleware in order, then the last step", () => {
    const seen: string[] = [];
    const step =
      (name: string): NodeMiddleware =>
      (_req, _res, next) => {
        seen.push(name);
        next();
      };
    runChain(
      [step("a"), step("b")],
      req,
      res,
      () => seen.push("last"),
      (error) => seen.push(`error ${String(error)}`),
    );
    expect(seen).toEqual(["a", "b", "last"]);
  });

  it("stops at an error passed on or thrown, by a middleware or the last step, and reports it once", () => {
    const errors: unknown[] = [];
    let reached = false;
    runChain(
      [(_q, _s, next) => next(new Error("passed on"))],
      req,
      res,
      () => (reached = true),
      (error) => errors.push(error),
    );
    runChain(
      [
        () => {
          throw new Error("thrown");
        },
      ],
      req,
      res,
      () => (reached = true),
      (error) => errors.push(error),
    );
    runChain(
      [],
      req,
      res,
      () => {
        throw new Error("from the last step");
      },
      (error) => errors.push(error),
    );
    expect(reached).toBe(false);
    expect(errors.map((error) => (error as Error).message)).toEqual(["passed on", "thrown", "from the last step"]);
  });

  it("lets a middleware answer and stop (the body limit's refusal)", () => {
    let reached = false;
    runChain(
      [() => {}],
      req,
      res,
      () => (reached = true),
      () => {},
    );
    expect(reached).toBe(false);
  });
});
