import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// The message catalogue lives next to the Go package that embeds it
// (platform/i18n/locales: one JSON file per language, the single source of
// the texts the server and the UI show); the UI imports the same files
// through the @locales alias.
const locales = here('../platform/i18n/locales')

// here is a path relative to this file (a POSIX path: the project builds
// on Linux and macOS; node:url is not typed here, @types/node is not a
// dependency).
function here(path: string): string {
  return decodeURIComponent(new URL(path, import.meta.url).pathname)
}

// The Go server embeds dist/ (build tag `ui`) and serves it; during
// development `npm run dev` proxies the API to a local `bkjob serve`.
export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@locales': locales },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // The dev server serves files outside frontend/ only when allowed.
    fs: { allow: [here('.'), locales] },
    proxy: {
      '/api': 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
})
