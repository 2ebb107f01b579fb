/**
 * A FileHost over the texts the editor's language server analysed (open
 * buffers with unsaved edits included), the disk for anything else: the proof
 * copies the config exactly as the editor sees it.
 */
import * as nodePath from 'node:path';
import type { EngineSettings, FileHost } from '../engine/index';
import { diskHost } from '../node/file-host';

/** What the language server sends for a proof (`nginxWs/configSnapshot`). */
export interface ConfigSnapshot {
  /** The config root analysed. */
  rootPath: string;
  /** The engine settings of that analysis. */
  settings: EngineSettings;
  /** Every file of the analysis with the text it was analysed with. */
  files: { path: string; text: string }[];
}

export function snapshotHost(files: { path: string; text: string }[]): FileHost {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const disk = diskHost();
  return {
    readFile: (p) => texts.get(p) ?? disk.readFile(p),
    glob: (pattern) => disk.glob(pattern),
    dirname: (p) => (nodePath.isAbsolute(p) ? nodePath.dirname(p) : ''),
    resolve: (dir, rel) => (nodePath.isAbsolute(rel) || dir === '' ? rel : nodePath.resolve(dir, rel)),
  };
}
