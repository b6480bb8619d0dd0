import type { Mailer } from '../ports/mailer';

/** Who hears from the system about their store, and from which address. */
export interface OwnerContact {
  readonly email: string;
  readonly from: string;
}

/** Sends the owner an email (problem notices, import reports, the monthly summary): no unsubscribe headers. */
export async function mailOwner(
  mailer: Mailer,
  owner: OwnerContact,
  email: { readonly subject: string; readonly html: string; readonly text: string },
  tags: Readonly<Record<string, string>>,
): Promise<string> {
  const { messageId } = await mailer.send({ to: owner.email, from: owner.from, ...email, headers: [], tags });
  return messageId;
}
