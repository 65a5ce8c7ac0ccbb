// bundle_budget.mjs fails the build when the UI grows past its budget: the
// entry chunk (what every page loads first) and all JavaScript together,
// gzip-compressed as the browser receives them. `npm run build` runs it
// after Vite; docs/benchmarks.md records the figures.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const budget = { entryGzipKB: 170, totalGzipKB: 420 }
const assets = 'dist/assets'
const html = readFileSync('dist/index.html', 'utf8')
const entryName = /src="\/assets\/([^"]+\.js)"/.exec(html)?.[1]
if (!entryName) throw new Error('bundle budget: no entry script in dist/index.html')

const kb = (n) => Math.round((n / 1024) * 10) / 10
let total = 0
let entry = 0
let chunks = 0
for (const name of readdirSync(assets)) {
  if (!name.endsWith('.js')) continue
  const size = gzipSync(readFileSync(join(assets, name))).length
  total += size
  chunks++
  if (name === entryName) entry = size
}
console.log(`bundle: entry ${kb(entry)} KB gzip (budget ${budget.entryGzipKB}), all JS ${kb(total)} KB gzip in ${chunks} chunks (budget ${budget.totalGzipKB})`)
if (kb(entry) > budget.entryGzipKB || kb(total) > budget.totalGzipKB) {
  console.error('bundle budget exceeded: split the code (a lazy route or import) or raise the budget in scripts/bundle_budget.mjs with a reason')
  process.exit(1)
}
