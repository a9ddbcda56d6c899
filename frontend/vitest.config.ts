import { defineConfig } from 'vitest/config'

// Unit tests run in Node with a real IndexedDB implementation (fake-indexeddb);
// only the network (fetch) is replaced, by a small in-memory sync server.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    setupFiles: ['fake-indexeddb/auto'],
  },
})
