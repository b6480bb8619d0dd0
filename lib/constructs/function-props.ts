import type * as logs from 'aws-cdk-lib/aws-logs';
import type { EnvironmentOf, FUNCTION_ENV_SCHEMAS } from '../../src/composition/aws/environment';
import type { DataTables } from './data-tables';
import type { FunctionRole } from './service-function';

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
 * The environment a function that reads the owner's stored docs gets from {@link ReadsOwnerDocsProps}:
 * CR_DOCS_CACHE_SECONDS when `docsCacheSeconds` is set, nothing otherwise (the runtime default applies).
 */
export function ownerDocsEnvironment(props: ReadsOwnerDocsProps): Pick<FunctionEnvironment<'waiter'>, 'CR_DOCS_CACHE_SECONDS'> {
  return props.docsCacheSeconds !== undefined ? { CR_DOCS_CACHE_SECONDS: String(props.docsCacheSeconds) } : {};
}

/**
 * The variables the function with this role reads, as its schema in `src/composition/aws/environment.ts` names them
 * (a type-only import: the CDK app runs none of that module). A construct writes its environment `satisfies` this, so
 * a name its function does not read fails the type check.
 */
export type FunctionEnvironment<R extends FunctionRole> = EnvironmentOf<(typeof FUNCTION_ENV_SCHEMAS)[R]>;
