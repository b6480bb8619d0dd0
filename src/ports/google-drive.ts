/** A file in the owner's Drive folder. */
export interface DriveFile {
  readonly id: string;
  readonly name: string;
  readonly mimeType: string;
  /** ISO time of the last edit. */
  readonly modifiedTime: string;
}

/**
 * What the system reads from the owner's Google Drive: the two docs as plain text and the storefront's export sheet.
 * Implemented with the per-API googleapis packages in production and pointed at a local fake in tests.
 * Every method rejects with a `GoogleReadError` naming what failed (403 not shared, 404 missing, 5xx, timeout).
 */
export interface OwnerDrive {
  /** The files in a folder, not trashed. */
  listFolder(folderId: string): Promise<DriveFile[]>;
  /** A Google Doc's text: one line per paragraph, list items and table rows included (cells joined by a tab). */
  readDocText(documentId: string): Promise<string>;
  /** A sheet's cell values, first row first (the header), as displayed strings. */
  readSheetRows(spreadsheetId: string, range?: string): Promise<string[][]>;
  /** Where the owner opens a doc to edit it (the "Open the doc" link of a problem email). */
  docUrl(documentId: string): string;
}

/** Why a read from Google failed, in words an operator can act on. */
export class GoogleReadError extends Error {
  override readonly name = 'GoogleReadError';
  constructor(
    readonly kind: 'forbidden' | 'not_found' | 'unavailable' | 'timeout' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}
