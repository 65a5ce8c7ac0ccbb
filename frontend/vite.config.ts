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

// editorChunk names the chunks of the script editor (CodeMirror), which
// ScriptEditor.vue loads lazily: "editor" for the core, "editor-<language>"
// for each language, loaded only when that language is shown. The names
// let scripts/bundle_budget.mjs hold the editor to a budget of its own.
function editorChunk(id: string): string | undefined {
  const language = /@codemirror\/(?:lang-(\w+)|legacy-modes\/mode\/(\w+))|@lezer\/(python)|src\/lib\/editor\/(bat)\.ts/.exec(id)
  if (language) return `editor-${language.slice(1).find(Boolean)}`
  // The LR runtime and completion are shared by the lezer languages only.
  if (/@lezer\/lr|@codemirror\/autocomplete/.test(id)) return 'editor-lr'
  if (/@codemirror\/|@lezer\/|\/(crelt|style-mod|w3c-keyname)\/|src\/lib\/editor\//.test(id)) return 'editor'
  return undefined
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
    rollupOptions: { output: { manualChunks: editorChunk } },
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
