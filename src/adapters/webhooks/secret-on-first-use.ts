import { HttpError } from '../../http/function-url';
import type { Log } from '../../ports/log';
import type { ParsedDelivery, WebhookFormat } from '../../ports/webhook-format';

/**
 * A webhook format whose signing secret is read on first use rather than at start, so its endpoint can be deployed
 * before the secret exists (Shopify shows the secret only once its webhooks are created). Until the secret can be
 * read, deliveries get a 503 (the storefront retries) and the function's other endpoints are unaffected; once it
 * can, the format is kept for the container's life.
 */
export class SecretOnFirstUseFormat implements WebhookFormat {
  private format: Promise<WebhookFormat> | undefined;

  /**
   * @param build reads the secret and makes the format; a rejection means "not there yet"
   * @param missing what the operator must do, for the log only (e.g. which parameter to create); the caller hears
   *   only that the endpoint is not set up yet
   */
  constructor(
    private readonly build: () => Promise<WebhookFormat>,
    private readonly missing: string,
    private readonly log: Log,
    /** The body bound of the format it makes (see `WebhookFormat.maxBodyBytes`), known before the secret is. */
    readonly maxBodyBytes?: number,
  ) {}

  async parse(body: Buffer, headers: Record<string, string | undefined>): Promise<ParsedDelivery> {
    let format: WebhookFormat;
    try {
      format = await (this.format ??= this.build());
    } catch (error) {
      this.format = undefined; // try again on the next delivery
      this.log.warn('webhook secret not readable yet', {
        what: this.missing,
        error: error instanceof Error ? error.message : String(error),
      });
      throw new HttpError(
        503,
        'not_configured',
        'This webhook endpoint is not set up yet; deliveries will be accepted once it is.',
        { 'retry-after': '300' },
      );
    }
    return format.parse(body, headers);
  }
}
