import type * as logs from 'aws-cdk-lib/aws-logs';
import { type EnvironmentOf, FUNCTION_ENV_SCHEMAS } from '../../src/composition/aws/environment';
import type { DataTables } from './data-tables';
import { FUNCTION_NAMES, type FunctionRole, type ServiceFunctionProps } from './service-function';

/**
 * What every function construct of the app is built from (its own props add what is particular to it).
 *
 * Kept apart from `service-function.ts`: `ServiceFunction` only builds a Lambda function, while these props tie a
 * function construct to the app's tables, and `data-tables.ts` itself needs `ServiceFunction` for its grants.
 */
export interface FunctionConstructProps {
  /** Path of the function's Lambda entry in `src/lambda/`. */
  readonly entry: string;
  readonly tables: DataTables;
  /** Days cart and activity rows live (CR_RETENTION_DAYS). */
  readonly retentionDays: number;
  /**
   * Log retention.
   * @default - ServiceFunction's default (one month)
   */
  readonly logRetention?: logs.RetentionDays;
}

/** A function that reads the owner's stored rules (and voice). */
export interface ReadsOwnerDocsProps extends FunctionConstructProps {
  /**
   * Seconds a container keeps the stored rules before reading them again (CR_DOCS_CACHE_SECONDS).
   * @default - the runtime's default (`DEFAULT_DOCS_CACHE_SECONDS` in `src/composition/aws/environment.ts`)
   */
  readonly docsCacheSeconds?: number;
}

/**
 * The variables the function with this role reads, as its schema in `src/composition/aws/environment.ts` names them
 * (the CDK app reads the same schemas): in {@link functionDefaults}, a name the function does not
 * read fails the type check.
 */
export type FunctionEnvironment<R extends FunctionRole> = EnvironmentOf<(typeof FUNCTION_ENV_SCHEMAS)[R]>;

/**
 * What every function construct passes to {@link ServiceFunction} the same way (as Solutions Constructs keep their
 * `*-defaults`): its entry, its fixed name ({@link FUNCTION_NAMES}), its log retention, and its environment:
 * `environment` (checked against the function's schema) with CR_RETENTION_DAYS and CR_DOCS_CACHE_SECONDS added
 * from the props when the function's schema reads them (the docs cache only when set: otherwise the runtime's
 * default applies).
 */
export function functionDefaults<R extends FunctionRole>(
  role: R,
  props: FunctionConstructProps & { readonly docsCacheSeconds?: number },
  environment: FunctionEnvironment<R>,
): Pick<ServiceFunctionProps, 'entry' | 'functionName' | 'environment' | 'logRetention'> {
  const reads = FUNCTION_ENV_SCHEMAS[role].shape;
  const common = {
    ...('CR_RETENTION_DAYS' in reads ? { CR_RETENTION_DAYS: String(props.retentionDays) } : {}),
    ...('CR_DOCS_CACHE_SECONDS' in reads && props.docsCacheSeconds !== undefined
      ? { CR_DOCS_CACHE_SECONDS: String(props.docsCacheSeconds) }
      : {}),
  };
  return {
    entry: props.entry,
    functionName: FUNCTION_NAMES[role],
    environment: { ...common, ...environment },
    ...(props.logRetention ? { logRetention: props.logRetention } : {}),
  };
}
