/**
 * When "Prove WebSocket location with local nginx" may run: it runs nginx on
 * this machine, so only in a trusted workspace, and only with an nginx
 * binary. Pure (no vscode import): the command, its CodeLens action and its
 * palette entry all ask here.
 */
import { findNginx } from '../../server/src/nginx/binary';

/** Why proving is not possible here, or null when it is: an untrusted workspace never runs nginx. */
export function proveBlocker(trusted: boolean, nginxPath: string, find: (s: string) => string | null = findNginx): string | null {
  if (!trusted) return 'Proving a location runs nginx on this machine: trust this workspace first (Workspaces: Manage Workspace Trust).';
  if (!find(nginxPath)) return `No nginx binary found for nginxWs.nginxPath "${nginxPath || 'nginx'}": install nginx or set the path.`;
  return null;
}
