// iamsim answers IAM access questions with @cloud-copilot/iam-simulate, for the access
// tests of the synthesised policies (cdk/access_test.go).
//
// The simulator is AGPL-3.0: it is a test-only tool, installed by `make tools` into
// .tools/node_modules and never shipped or bundled with curfew.
//
// Usage: node iamsim.mjs <path of the package's dist/esm/index.js> < questions.json
// stdin:  [{"name": "...", "simulation": <a Simulation of iam-simulate>}, ...]
// stdout: [{"name": "...", "decision": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "Error", "errors": ...,
//           "ignored": [context keys the simulator dropped as not applicable to the request]}, ...]
//
// A dropped key is evaluated as absent, so a question about it would be answered for the
// wrong reason: a question names the keys it is about, and fails if one was dropped.
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const { runSimulation } = await import(pathToFileURL(process.argv[2]).href)
const questions = JSON.parse(readFileSync(0, 'utf8'))
const answers = []
for (const q of questions) {
  const res = await runSimulation(q.simulation, {})
  if (res.resultType === 'error') {
    answers.push({ name: q.name, decision: 'Error', errors: res.errors })
    continue
  }
  const results = res.resultType === 'single' ? [res.result] : res.results
  const ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))]
  answers.push({ name: q.name, decision: res.overallResult, ignored })
}
process.stdout.write(JSON.stringify(answers, null, 1) + '\n')
