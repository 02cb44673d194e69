// Runs a stagegate CEL rule file (variables, then validations, then the messages of the failed
// ones) with cel-js (npm `@marcbachmann/cel-js`) on an evidence document: the reference point for
// "CEL vs Rego, same rules" in bench/RESULTS.md. Timed as a whole process, like
// `stagegate evaluate`: read and parse the JSON, compile every expression, evaluate once.
//
//   npm install --prefix /tmp/celjs @marcbachmann/cel-js@8.0.0
//   python3 bench/cel_rules_json.py bench/same-rules/same.cel.yaml policies/data.yaml > bench/out/same-rules.json
//   CELJS=/tmp/celjs/node_modules/@marcbachmann/cel-js/lib/index.js \
//     node bench/cel_js.mjs bench/out/same-rules.json bench/out/pass-10000.json cel
//
// Prints the failed validations (id and message) and, on stderr, the time spent in this process.
import { readFileSync } from 'node:fs'

const started = process.hrtime.bigint()
const [rulesPath, evidencePath, stage] = process.argv.slice(2)
const { Environment } = await import(process.env.CELJS ?? '@marcbachmann/cel-js')
const rules = JSON.parse(readFileSync(rulesPath, 'utf8'))
const evidence = JSON.parse(readFileSync(evidencePath, 'utf8'))
const env = new Environment({ unlistedVariablesAreDyn: true })
const compile = (source) => env.parse(source)
const variables = rules.variables.map((v) => ({ name: v.name, run: compile(v.expression) }))
const validations = rules.validations.map((v) => ({
  ...v,
  run: compile(v.expression),
  message: v.messageExpression ? compile(v.messageExpression) : null,
}))
const compiled = process.hrtime.bigint()
const context = { evidence, data: rules.data, stage, now: new Date(), variables: {} }
for (const v of variables) {
  context.variables[v.name] = v.run(context)
}
const findings = []
for (const v of validations) {
  if (v.run(context) !== true) {
    findings.push([v.id, v.message ? v.message(context) : v.messageText])
  }
}
const done = process.hrtime.bigint()
for (const [id, message] of findings) console.log(`${id}: ${message}`)
const ms = (a, b) => (Number(b - a) / 1e6).toFixed(1)
console.error(`cel-js: read + parse + compile ${ms(started, compiled)} ms, evaluate ${ms(compiled, done)} ms`)
