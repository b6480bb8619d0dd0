import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DriveFile, GoogleReadError, type OwnerDrive } from '../../ports/google-drive';

/**
 * The owner's Drive on this machine: a "document id" is a file path, a "folder id" a directory. Lets the local
 * system run the same loader and import code as production, on docs/examples or files the user points at.
 */
export class FileOwnerDrive implements OwnerDrive {
  async listFolder(folderId: string): Promise<DriveFile[]> {
    return this.guard(folderId, () =>
      readdirSync(folderId).map((name) => {
        const path = join(folderId, name);
        return {
          id: path,
          name,
          mimeType: name.endsWith('.csv') ? 'text/csv' : 'text/plain',
          modifiedTime: statSync(path).mtime.toISOString(),
        };
      }),
    );
  }

  async readDocText(documentId: string): Promise<string> {
    return this.guard(documentId, () => readFileSync(documentId, 'utf8'));
  }

  /** The file itself: locally the "doc" is a file on this machine. */
  docUrl(documentId: string): string {
    return pathToFileURL(resolve(documentId)).href;
  }

  /** Local export files are CSV; parsing lives with the import lane. */
  async readSheetRows(): Promise<string[][]> {
    throw new GoogleReadError('invalid', 'local export files are CSV: read them with the CSV lane');
  }

  private guard<T>(path: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new GoogleReadError(
        code === 'ENOENT' ? 'not_found' : code === 'EACCES' ? 'forbidden' : 'unavailable',
        `${basename(path)}: ${code ?? 'unreadable'}`,
      );
    }
  }
}
