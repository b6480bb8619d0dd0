import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Log } from '../../ports/log';

/** A Powertools JSON logger behind the Log port, with the hooks the composition root calls around each invocation. */
export interface PowertoolsLog extends Log {
  readonly logger: Logger;
  /** Puts the Lambda context (request id, function name, cold start) on every line of this invocation. */
  beginInvocation(context: Context | undefined): void;
  /** Drops the keys this invocation appended (one container serves many carts, one after another). */
  endInvocation(): void;
}

/** One Powertools logger per function, named after it. */
export function powertoolsLog(serviceName: string): PowertoolsLog {
  const logger = new Logger({ serviceName });
  return {
    logger,
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
    appendKeys: (keys) => logger.appendKeys(keys),
    beginInvocation: (context) => {
      if (context) logger.addContext(context);
    },
    endInvocation: () => logger.resetKeys(),
  };
}
