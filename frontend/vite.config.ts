import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// The Go server embeds dist/ (build tag `ui`) and serves it; during
// development `npm run dev` proxies the API to a local `bkjob serve`.
export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
})
