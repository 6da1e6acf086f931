import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

/** Tests run against source: every `@llmeter/*` import resolves to its package's `src/index.ts`. */
export const sourceAliases: Record<string, string> = {
  '@llmeter/core': src('core'),
  '@llmeter/bedrock': src('bedrock'),
  '@llmeter/bedrock-emulator': src('bedrock-emulator'),
  '@llmeter/runner': src('runner'),
  '@llmeter/otel': src('otel'),
  '@llmeter/cli': src('cli'),
};
