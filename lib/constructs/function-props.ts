import type * as logs from 'aws-cdk-lib/aws-logs';
import type { DataTables } from './data-tables';

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
   * @default - the runtime's default (120)
   */
  readonly docsCacheSeconds?: number;
}

/**
 * The environment a function that reads the owner's stored docs gets from {@link ReadsOwnerDocsProps}:
 * CR_DOCS_CACHE_SECONDS when `docsCacheSeconds` is set, nothing otherwise (the runtime default applies).
 */
export function ownerDocsEnvironment(props: ReadsOwnerDocsProps): Record<string, string> {
  return props.docsCacheSeconds !== undefined ? { CR_DOCS_CACHE_SECONDS: String(props.docsCacheSeconds) } : {};
}
