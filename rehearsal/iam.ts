/**
 * Every AWS call a function makes in the rehearsal, checked against that function's role as the template writes it,
 * by a real IAM policy evaluator (`@cloud-copilot/iam-simulate`: AGPL-3.0, a devDependency of the rehearsal only,
 * never in a bundle). It also keeps which grants were used, so the report can list the ones no scenario needed.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { REHEARSAL_ACCOUNT, type Statement } from './template';

/** One AWS request as IAM sees it: an action on a resource, with the request's condition keys. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
}

/** One call a principal made, with what IAM decided. */
export interface RecordedCall extends IamRequest {
  readonly principal: string;
  readonly allowed: boolean;
}

/** A call the principal's policy does not allow: the rehearsal fails with it. */
export class AccessDenied extends Error {
  override readonly name = 'AccessDeniedException';
  constructor(
    readonly principal: string,
    readonly request: IamRequest,
    readonly why: string,
  ) {
    super(`AccessDenied: ${principal} may not ${request.action} on ${request.resource} (${why})`);
  }
}

/** One grant: an action a statement allows on one of its resources. */
export interface Grant {
  readonly sid: string;
  readonly action: string;
  readonly resource: string;
}

interface Principal {
  readonly roleArn: string;
  readonly statements: readonly Statement[];
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

export class PolicyChecker {
  readonly calls: RecordedCall[] = [];
  readonly denials: AccessDenied[] = [];
  private readonly used = new Map<string, Set<string>>();

  /** `principals` by the name the rehearsal knows each caller by (the function name, or a Scheduler role's). */
  constructor(private readonly principals: ReadonlyMap<string, Principal>) {}

  /**
   * Checks one request; throws {@link AccessDenied} (also kept in `denials`) when the role's policy does not allow it.
   */
  async check(principal: string, request: IamRequest): Promise<void> {
    const who = this.principals.get(principal);
    if (!who) throw new Error(`the rehearsal knows no principal ${principal}`);
    const statements = who.statements.map((s, index) => ({ ...s, Sid: `S${index}` }));
    const simulation: Simulation = {
      request: {
        principal: who.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: REHEARSAL_ACCOUNT },
        contextVariables: { ...request.context },
      },
      identityPolicies:
        statements.length > 0 ? [{ name: 'role', policy: { Version: '2012-10-17', Statement: statements } }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: undefined,
    } as unknown as Simulation;
    const response = await runSimulation(simulation, {});
    let allowed = false;
    let why = 'no statement allows it';
    if (response.resultType === 'error') {
      why = `the evaluator refused the request: ${JSON.stringify(response.errors)}`;
    } else if (response.resultType === 'single') {
      allowed = response.overallResult === 'Allowed';
      if (allowed) {
        const keys = this.used.get(principal) ?? new Set<string>();
        for (const allow of response.result.analysis?.identityAnalysis?.allowStatements ?? []) {
          const explain = allow.explain as {
            identifier?: string;
            resources?: Array<{ resource: string; matches: boolean }>;
          };
          const index = Number(String(explain.identifier ?? '').replace(/^S/, ''));
          const resources = Array.isArray(explain.resources)
            ? explain.resources
            : explain.resources
              ? [explain.resources]
              : [];
          for (const r of resources) if (r.matches) keys.add(`${index}|${request.action}|${r.resource}`);
        }
        this.used.set(principal, keys);
      } else {
        why = response.overallResult === 'ExplicitlyDenied' ? 'an explicit Deny' : 'no statement of its role allows it';
      }
    }
    this.calls.push({ principal, ...request, allowed });
    if (!allowed) {
      const denial = new AccessDenied(principal, request, why);
      this.denials.push(denial);
      throw denial;
    }
  }

  /**
   * Every grant of the principal's role that can apply (an action on a resource of a type that action takes: the CDK
   * lists `GetItem` on `<table>/index/*` too, which IAM never matches), and whether some call used it.
   */
  async grants(principal: string): Promise<Array<Grant & { used: boolean; applies: boolean }>> {
    const who = this.principals.get(principal);
    if (!who) return [];
    const used = this.used.get(principal) ?? new Set<string>();
    const result: Array<Grant & { used: boolean; applies: boolean }> = [];
    for (const [index, s] of who.statements.entries()) {
      if (s.Effect !== 'Allow') continue;
      for (const action of list(s.Action)) {
        for (const resource of list(s.Resource)) {
          const isUsed = used.has(`${index}|${action}|${resource}`);
          const fits = isUsed || (await applies(action, resource));
          // The CDK lists GetItem on `<table>/index/*` too: a pair IAM never matches is noise, not a grant.
          if (!fits && /\/index\//.test(resource)) continue;
          result.push({ sid: s.Sid ?? `#${index}`, action, resource, used: isUsed, applies: fits });
        }
      }
    }
    return result;
  }
}

/** Whether the evaluator accepts `action` on a resource of this pattern's type (wildcards filled in). */
async function applies(action: string, pattern: string): Promise<boolean> {
  // DynamoDB authorizes only Query and Scan against an index ARN; the evaluator's resource types do not say so.
  if (/\/index\//.test(pattern) && !['dynamodb:Query', 'dynamodb:Scan'].includes(action)) return false;
  const resource = pattern.replace(/\*/g, 'x').replace(/:x:/, ':us-east-1:');
  const response = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${REHEARSAL_ACCOUNT}:role/probe`,
        action,
        resource: { resource, accountId: REHEARSAL_ACCOUNT },
        contextVariables: {},
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    } as unknown as Simulation,
    {},
  );
  return response.resultType !== 'error';
}
