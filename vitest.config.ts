import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the packages by name; the alias points those names at the sources so that a test
// run needs no build and a stack trace points at TypeScript lines.
const packages = ['actors', 'testing', 'supervision', 'stages', 'patterns', 'persistence', 'ml-bridge'];
const alias = Object.fromEntries(
  packages.map((name) => [
    `@starweave/${name}`,
    fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url)),
  ]),
);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      ...packages.map((name) => ({
        resolve: { alias },
        test: {
          name,
          root: `./packages/${name}`,
          include: ['test/**/*.test.ts'],
          testTimeout: 20_000,
        },
      })),
      {
        resolve: { alias },
        test: { name: 'examples', root: './examples', include: ['*/test/**/*.test.ts'], testTimeout: 120_000 },
      },
      {
        resolve: { alias },
        test: { name: 'docs', root: './docs', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
      },
    ],
  },
});
