// bundle_budget.mjs fails the build when the UI grows past its budget: the
// entry chunk (what every page loads first), the rest of the app's
// JavaScript, and the script editor (CodeMirror: the editor-* chunks named
// in vite.config.ts, loaded lazily by the pages with an editor, a language
// at a time), gzip-compressed as the browser receives them. `npm run build`
// runs it after Vite; docs/benchmarks.md records the figures.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

// The editor has its own budget so that it cannot eat the app's: the
// core (~100 KB) plus every language (~55 KB), though a page loads the
// core and one language.
const budget = { entryGzipKB: 170, appGzipKB: 420, editorGzipKB: 180 }
const assets = 'dist/assets'
const html = readFileSync('dist/index.html', 'utf8')
const entryName = /src="\/assets\/([^"]+\.js)"/.exec(html)?.[1]
if (!entryName) throw new Error('bundle budget: no entry script in dist/index.html')

const kb = (n) => Math.round((n / 1024) * 10) / 10
let app = 0
let entry = 0
let editor = 0
let chunks = 0
let editorChunks = 0
for (const name of readdirSync(assets)) {
  if (!name.endsWith('.js')) continue
  const size = gzipSync(readFileSync(join(assets, name))).length
  chunks++
  if (/^editor(-\w+)?-[\w-]+\.js$/.test(name)) {
    editor += size
    editorChunks++
    continue
  }
  app += size
  if (name === entryName) entry = size
}
console.log(
  `bundle: entry ${kb(entry)} KB gzip (budget ${budget.entryGzipKB}), app JS ${kb(app)} KB gzip in ${chunks - editorChunks} chunks (budget ${budget.appGzipKB}), ` +
    `editor ${kb(editor)} KB gzip in ${editorChunks} chunks (budget ${budget.editorGzipKB})`,
)
if (kb(entry) > budget.entryGzipKB || kb(app) > budget.appGzipKB || kb(editor) > budget.editorGzipKB) {
  console.error('bundle budget exceeded: split the code (a lazy route or import) or raise the budget in scripts/bundle_budget.mjs with a reason')
  process.exit(1)
}
if (editorChunks === 0) {
  console.error('bundle budget: no editor-* chunk: vite.config.ts editorChunk no longer names the CodeMirror chunks')
  process.exit(1)
}
