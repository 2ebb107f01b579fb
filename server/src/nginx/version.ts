/**
 * `nginx -v` detection. Runs a program named by settings, so the caller must
 * only ask in a trusted workspace. One run per binary path; failures are
 * remembered too (a missing nginx is not retried on every keystroke).
 */
import { execFile } from 'node:child_process';

const TIMEOUT_MS = 3000;

export function parseNginxVersion(output: string): string | undefined {
  return /nginx version:\s*[^/\s]+\/(\d+\.\d+(?:\.\d+)?)/.exec(output)?.[1];
}

export type Detection = { version: string } | { error: string };

export class NginxVersionDetector {
  private readonly runs = new Map<string, Promise<Detection>>();

  detect(nginxPath: string): Promise<Detection> {
    let p = this.runs.get(nginxPath);
    if (!p) {
      p = new Promise<Detection>((resolve) => {
        try {
          execFile(nginxPath, ['-v'], { timeout: TIMEOUT_MS, windowsHide: true, maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
            // nginx prints its version on stderr and exits 0; some builds use stdout.
            const version = parseNginxVersion(`${stderr}\n${stdout}`);
            if (version) resolve({ version });
            else resolve({ error: err ? err.message : `unexpected output from ${nginxPath} -v: ${(stderr || stdout).slice(0, 200)}` });
          });
        } catch (e) {
          resolve({ error: (e as Error).message });
        }
      });
      this.runs.set(nginxPath, p);
    }
    return p;
  }
}
