/**
 * `npm run rehearse`: the deployed system, rehearsed offline. Synthesizes the stack with its bundles, runs every
 * function from its bundle on Lambda's Node 22 against loopback stand-ins of AWS and Google, checks every call against
 * the function's role, plays the scenarios and prints the report. Exits 1 on any failure (a denied call, a function
 * that failed, a scenario whose expectation broke). `--short` plays one cart's story through every function (what
 * `npm test` runs).
 */
import { parseArgs } from 'node:util';
import { renderReport, runRehearsal } from './run';

const { values } = parseArgs({
  options: { short: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
});
const started = Date.now();
const outcome = await runRehearsal({
  short: values.short,
  ...(values.verbose ? { log: (line: string) => console.error(line) } : {}),
});
console.log(await renderReport(outcome));
console.log(`\nRehearsal took ${((Date.now() - started) / 1000).toFixed(1)} s on this machine.`);
process.exitCode = outcome.ok ? 0 : 1;
