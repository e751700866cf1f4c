// Sums jest's per-run summaries in a (turbo-prefixed) log: prints "<passed> <failed>".
// A suite that fails to load has no failed *tests*, so each such suite counts as one failure.
const text = require('node:fs')
  .readFileSync(process.argv[2], 'utf8')
  .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
let passed = 0;
let failed = 0;
const num = (s, word) => Number((new RegExp(`(\\d+) ${word}`).exec(s) || [0, 0])[1]);
for (const m of text.matchAll(/Test Suites:([^\n]*)\n[^\n]*Tests:([^\n]*)/g)) {
  const suitesFailed = num(m[1], 'failed');
  const testsFailed = num(m[2], 'failed');
  passed += num(m[2], 'passed');
  failed += testsFailed > 0 ? testsFailed : suitesFailed;
}
// A package whose jest crashed before printing a summary still fails the turbo run: count it once.
if (failed === 0 && /Failed:\s+\S+/.test(text)) failed += 1;
process.stdout.write(`${passed} ${failed}\n`);
