// negotiator ships no types, and @types/negotiator predates the `preferred` argument that
// 0.6.4 added (the one compression uses to prefer brotli): only what compress-page.ts calls.
declare module "negotiator" {
  export default class Negotiator {
    constructor(request: { headers: Record<string, string | string[] | undefined> });
    /** The client's most preferred of `available`; ties go to the first in `preferred`. */
    encoding(available: string[], preferred?: string[]): string | undefined;
  }
}
