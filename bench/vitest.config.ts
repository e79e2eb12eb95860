import { defineConfig } from 'vitest/config';

// The bench's own tests (npm run test:bench); `npm test` covers src/ and test/ only.
export default defineConfig({
  test: { include: ['bench/**/*.test.ts'], root: '.' },
});
