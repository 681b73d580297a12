import { defineConfig } from 'vite';

// The build is committed (internal/api/ui/dist) and must be reproducible:
// stable file names, no source maps, no timestamps. scripts/test rebuilds
// it and fails if it differs.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../internal/api/ui/dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        entryFileNames: 'assets/app.js',
        chunkFileNames: 'assets/[name].js',
        assetFileNames: 'assets/[name][extname]',
      },
    },
  },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
