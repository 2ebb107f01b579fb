/**
 * `nginxWs/configSnapshot`: the whole config a document belongs to, as the
 * server analysed it — its root, its settings and the text of every file
 * (open buffers with unsaved edits, the disk for the rest). The client's
 * "Prove WebSocket location with local nginx" copies exactly this into the
 * proof's private prefix, so what runs is what the editor shows.
 */
import { guard, type Feature, type ServerContext } from '../context';
import { CONFIG_SNAPSHOT_REQUEST, type ConfigSnapshotParams, type ConfigSnapshotResult } from '../protocol';

/** A config larger than this is not sent (the proof would not copy it either). */
export const MAX_SNAPSHOT_BYTES = 50 * 1024 * 1024;

const EMPTY = (note: string): ConfigSnapshotResult => ({ rootPath: null, settings: null, files: [], note });

export const configSnapshotFeature: Feature = {
  name: 'configSnapshot',
  capabilities: () => ({}),
  register(ctx) {
    ctx.connection.onRequest(
      CONFIG_SNAPSHOT_REQUEST,
      guard(ctx, CONFIG_SNAPSHOT_REQUEST, EMPTY('the snapshot failed; see the language server log'), (p: ConfigSnapshotParams) =>
        snapshot(ctx, p),
      ),
    );
  },
};

async function snapshot(ctx: ServerContext, p: ConfigSnapshotParams): Promise<ConfigSnapshotResult> {
  if (!p || typeof p.uri !== 'string') return EMPTY('no document');
  const state = await ctx.analyzer.current(p.uri);
  if (!state?.analysis) return EMPTY('the document has no analysis (not open, too large, or not an nginx file)');
  let bytes = 0;
  const files: { path: string; text: string }[] = [];
  for (const [path, f] of state.analysis.files) {
    bytes += f.text.length;
    if (bytes > MAX_SNAPSHOT_BYTES) return EMPTY(`the config is larger than ${MAX_SNAPSHOT_BYTES / (1024 * 1024)} MB`);
    files.push({ path, text: f.text });
  }
  return { rootPath: state.rootPath, settings: ctx.analyzer.engineSettings(state.path), files, note: null };
}
