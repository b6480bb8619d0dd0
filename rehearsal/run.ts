/**
 * One rehearsal from start to report: starts the world, plays the scenarios in order (stopping at the first that
 * fails, since later ones build on it), and gathers what the report prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Grant } from './iam';
import * as scenarios from './scenarios';
import { lambdaNode, Rehearsal, REHEARSAL_CONTEXT, type RehearsalOptions, runtimeSdkVersion } from './world';

export interface RunOptions {
  readonly short?: boolean;
  readonly log?: (line: string) => void;
  readonly editTemplate?: RehearsalOptions['editTemplate'];
  readonly entries?: RehearsalOptions['entries'];
  readonly dynamoEndpoint?: string;
  readonly timeoutScale?: number;
}

export interface ScenarioOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly said: string;
}

export interface FunctionReport {
  readonly name: string;
  readonly runtime: string;
  readonly architecture: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly invocations: number;
  readonly coldStarts: number;
  readonly initMs: number[];
  readonly errors: number;
  readonly node?: string;
  /** `external` (the runtime's SDK was used) or `bundled`. */
  readonly sdk: 'external' | 'bundled';
  /** Calls by action, with how many. */
  readonly calls: Record<string, number>;
  readonly grants: Array<Grant & { used: boolean; applies: boolean }>;
}

export interface RehearsalOutcome {
  readonly ok: boolean;
  readonly scenarios: ScenarioOutcome[];
  readonly failures: string[];
  readonly functions: FunctionReport[];
  readonly node: string;
  readonly sdkVersion: string;
}

type Step = readonly [string, (r: Rehearsal) => Promise<string | { said: string }>];

const SHORT: Step[] = [
  ['owner shares the rules and voice docs (rules loader, Google)', scenarios.ownerSharesDocs],
  [
    'seed story: Shopify checkout → reminders → give up (intake, waiter, sender, SES events, cart counter)',
    scenarios.seedStory,
  ],
  ['one-click unsubscribe from the email header (unsubscribe)', scenarios.oneClickUnsubscribe],
  ['hourly tick on the 1st sends the monthly summary (summary)', scenarios.monthlySummary],
];

const FULL: Step[] = [
  ...SHORT.slice(0, 3),
  ['a reminder bounces (SES BOUNCE → EventBridge → ses-events)', scenarios.bounce],
  ['the owner edits both docs (rules loader)', scenarios.ownerEditsDocs],
  ['the owner breaks the rules doc, hears about it once, fixes it (rules loader)', scenarios.ownerBreaksAndFixesRules],
  [
    'the owner stops a shopper in the rules doc, then deletes the line (rules loader lifts it)',
    scenarios.ownerStopsAndLifts,
  ],
  ['a shopper checks out: Shopify orders/create ends the chase (intake)', scenarios.checkout],
  ['SES throttles a reminder once: released, deferred, sent once (sender)', scenarios.sesThrottles],
  ['the nightly export at 02:00 store time, a reminded cart checked out in it (importer)', scenarios.importSheet],
  ['every on-failure destination receives what its function could not finish', scenarios.failuresReachTheQueue],
  ['a waiter failure lands on the queue and is replayed with npm run carts -- --aws replay', scenarios.replayFailure],
  ['npm run doctor -- --aws against a sandboxed and a ready SES account', scenarios.doctor],
  SHORT[3]!,
];

export async function runRehearsal(options: RunOptions = {}): Promise<RehearsalOutcome> {
  const r = await Rehearsal.start({
    context: REHEARSAL_CONTEXT,
    startAt: new Date('2026-11-02T20:00:00Z'),
    ...(options.log ? { log: options.log } : {}),
    ...(options.editTemplate ? { editTemplate: options.editTemplate } : {}),
    ...(options.entries ? { entries: options.entries } : {}),
    ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
    timeoutScale: options.timeoutScale ?? 1,
  });
  const results: ScenarioOutcome[] = [];
  try {
    for (const [name, play] of options.short ? SHORT : FULL) {
      const failuresBefore = r.failures.length;
      try {
        const said = await play(r);
        const newFailures = r.failures.slice(failuresBefore);
        results.push({
          name,
          ok: newFailures.length === 0,
          said: newFailures.length === 0 ? (typeof said === 'string' ? said : said.said) : newFailures.join('\n'),
        });
      } catch (error) {
        const newFailures = r.failures.slice(failuresBefore);
        results.push({
          name,
          ok: false,
          said: [...newFailures, error instanceof Error ? error.message : String(error)].join('\n'),
        });
      }
      if (!results[results.length - 1]!.ok) break;
    }
    const functions: FunctionReport[] = [];
    for (const fn of r.template.functions) {
      const stats = r.lambda.stats.get(fn.name)!;
      const calls: Record<string, number> = {};
      for (const call of r.iam.calls)
        if (call.principal === fn.name) calls[call.action] = (calls[call.action] ?? 0) + 1;
      const bundle = readFileSync(join(fn.assetDir, 'index.js'), 'utf8');
      functions.push({
        name: fn.name,
        runtime: fn.runtime,
        architecture: fn.architecture,
        memoryMb: fn.memoryMb,
        timeoutSeconds: fn.timeoutSeconds,
        invocations: stats.invocations,
        coldStarts: stats.coldStarts,
        initMs: stats.initMs,
        errors: stats.errors,
        ...(stats.nodeVersion ? { node: stats.nodeVersion } : {}),
        sdk: /require\("@aws-sdk\//.test(bundle) ? 'external' : 'bundled',
        calls,
        grants: await r.iam.grants(fn.name),
      });
    }
    const ok =
      results.every((s) => s.ok) && r.failures.length === 0 && results.length === (options.short ? SHORT : FULL).length;
    return {
      ok,
      scenarios: results,
      failures: [...r.failures],
      functions,
      node: lambdaNode().version,
      sdkVersion: runtimeSdkVersion(),
    };
  } finally {
    await r.stop();
  }
}

/** The report, in plain text. */
export async function renderReport(outcome: RehearsalOutcome): Promise<string> {
  const lines: string[] = [];
  lines.push(
    `Rehearsal on Node ${outcome.node} (x64 here; Lambda runs arm64), AWS SDK for JavaScript ` +
      `${outcome.sdkVersion} where a bundle leaves @aws-sdk to the runtime`,
  );
  lines.push('');
  lines.push('Scenarios');
  for (const s of outcome.scenarios)
    lines.push(`  ${s.ok ? 'PASS' : 'FAIL'}  ${s.name}\n        ${s.said.split('\n').join('\n        ')}`);
  if (outcome.failures.length > 0) {
    lines.push('');
    lines.push('Failures');
    for (const f of outcome.failures) lines.push(`  - ${f}`);
  }
  lines.push('');
  lines.push('Functions');
  for (const fn of outcome.functions) {
    lines.push(
      `  ${fn.name} (${fn.runtime}, ${fn.architecture}, ${fn.memoryMb} MB, ${fn.timeoutSeconds} s; SDK ${fn.sdk})`,
    );
    lines.push(
      `    invocations ${fn.invocations}, cold starts ${fn.coldStarts} (init ` +
        `${fn.initMs.map((m) => `${m.toFixed(0)} ms`).join(', ') || '-'}), errors ${fn.errors}`,
    );
    lines.push(
      `    calls: ${
        Object.entries(fn.calls)
          .map(([a, n]) => `${a} ×${n}`)
          .join(', ') || 'none'
      }`,
    );
    const unused = fn.grants.filter((g) => !g.used && g.applies);
    const misfits = fn.grants.filter((g) => !g.applies);
    lines.push(
      `    granted ${fn.grants.length}, used ` +
        `${fn.grants.filter((g) => g.used).length}${unused.length > 0 ? `; never exercised:` : ''}`,
    );
    for (const g of unused)
      lines.push(`      - ${g.action} on ${g.resource}${g.sid.startsWith('#') ? '' : ` (${g.sid})`}`);
    for (const g of misfits)
      lines.push(
        `      ! ${g.action} on ${g.resource}: the evaluator's service data says this action takes no ` +
          'resource of that type',
      );
  }
  lines.push('');
  lines.push(outcome.ok ? 'REHEARSAL PASSED' : 'REHEARSAL FAILED');
  return lines.join('\n');
}
