/**
 * Which files an analysis may read from disk. In a trusted workspace (and in
 * the CLI) any file; in an untrusted one only files inside the workspace
 * folders, judged by their real path, so a symlink in the workspace that
 * points at `/etc/passwd` is refused like `include /etc/passwd;` itself.
 * A file outside is not opened, not even stat'ed: whether it exists is not
 * told either.
 */
import { realpathSync } from 'node:fs';
import * as nodePath from 'node:path';

export const OUTSIDE_WORKSPACE =
  'outside the workspace folders, and this workspace is not trusted: in Restricted Mode nginx-ws reads no file outside the workspace (trust the workspace to follow this include)';

export class WorkspacePolicy {
  private folders: string[] = [];
  private realFolders: string[] = [];

  constructor(
    private trusted = true,
    folders: string[] = [],
  ) {
    this.setFolders(folders);
  }

  get isTrusted(): boolean {
    return this.trusted;
  }

  setTrusted(trusted: boolean): void {
    this.trusted = trusted;
  }

  setFolders(folders: string[]): void {
    this.folders = folders.map((f) => nodePath.resolve(f));
    this.realFolders = this.folders.map(real);
  }

  /** Why `path` may not be read, or undefined when it may (or does not exist inside the workspace). */
  refusal(path: string): string | undefined {
    if (this.trusted) return undefined;
    const p = nodePath.resolve(path);
    if (!this.folders.some((f) => inside(p, f)) && !this.realFolders.some((f) => inside(p, f))) return OUTSIDE_WORKSPACE;
    let r: string;
    try {
      r = realpathSync.native(p);
    } catch {
      return undefined; // missing (or a dangling link): nothing to read anyway
    }
    if (this.realFolders.some((f) => inside(r, f))) return undefined;
    return `a symbolic link to ${r}, which is ${OUTSIDE_WORKSPACE}`;
  }
}

function inside(p: string, folder: string): boolean {
  return p === folder || p.startsWith(folder.endsWith(nodePath.sep) ? folder : folder + nodePath.sep);
}

function real(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
}
