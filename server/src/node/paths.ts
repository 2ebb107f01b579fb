/**
 * The engine speaks paths, the protocol speaks URIs. `file:` URIs become
 * filesystem paths (so includes resolve against real directories); any other
 * scheme (`untitled:`) is kept verbatim as an opaque key that never reaches the
 * disk.
 */
import * as nodePath from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function uriToPath(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

export function pathToUri(path: string): string {
  if (!isDiskPath(path)) return path;
  return pathToFileURL(path).href;
}

/** True for an absolute filesystem path (not a URI-like key such as `untitled:Untitled-1`). */
export function isDiskPath(path: string): boolean {
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(path)) return false; // scheme (a drive letter is one char)
  return nodePath.isAbsolute(path);
}
