import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../../ports/log';

/** A Powertools JSON logger behind the Log port; one service name per function. */
export function powertoolsLog(serviceName: string): Log & { logger: Logger } {
  const logger = new Logger({ serviceName });
  return {
    logger,
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  };
}
