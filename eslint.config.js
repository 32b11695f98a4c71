// @ts-check
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Code the browser runs: it may know the server only through the router's type. */
const BROWSER_FILES = ["app/components/**", "app/hooks/**", "app/lib/**", "app/shared/**", "app/root.tsx"];

const ONLY_THE_ROUTER_TYPE = {
  group: ["**/.server", "**/.server/**", "~/.server/**"],
  allowImportNames: ["AppRouter"],
  message: "Browser code imports nothing from .server except the AppRouter type; shared words live in app/shared.",
};

/** Domains that must reach another domain's store only through its interface, so a backend can be swapped. */
const storeBoundary = (domain, others) => ({
  files: [`app/.server/${domain}/**`],
  // Tests assemble real backends of several domains, as services.ts does.
  ignores: ["**/*.test.ts"],
  rules: {
    "@typescript-eslint/no-restricted-imports": [
      "error",
      {
        patterns: others.map((other) => ({
          regex: `(^|/)${other}/(?!types$)[^/]+$`,
          message: `${domain}/ reaches ${other}/ only through ${other}/types (its interface).`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ["build/", ".builds/", "node_modules/", "public/", "tests/e2e/.artifacts/", "bench/*.tmp.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: BROWSER_FILES,
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: [ONLY_THE_ROUTER_TYPE] }] },
  },
  {
    // Route modules hold loaders and actions, which run on the server and which Remix strips from
    // the browser's bundle with their imports. They reach the server through its top-level entry
    // points (services, the room gate, …), never into a domain's folder, whose internals can then
    // change without touching a route.
    files: ["app/routes/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["~/.server/*/**", "!~/.server/trpc/root"],
              message: "Routes use the server's top-level entry points (app/.server/*.ts), not a domain's internals.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["app/shared/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/.server", "**/.server/**", "~/.server/**", "~/lib/**", "../lib/**"],
              message: "app/shared imports nothing but itself: both sides depend on it.",
            },
          ],
        },
      ],
    },
  },
  storeBoundary("match", ["rooms", "accounts", "chats"]),
  storeBoundary("accounts", ["rooms", "match", "chats"]),
  storeBoundary("chats", ["rooms", "match", "accounts"]),
  {
    files: ["scripts/**", "bench/**", "server/**", "server.ts", "*.config.*", "tests/**"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Playwright's fixtures call a function named `use`, which is not React's.
    files: ["tests/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  prettier,
  {
    // Prettier wraps code at 120; this catches what it cannot (long strings are fine, code is not).
    rules: {
      "max-len": [
        "error",
        {
          code: 120,
          ignoreComments: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
        },
      ],
    },
  },
);
