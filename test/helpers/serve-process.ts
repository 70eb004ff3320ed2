/** `s15n serve` as a real child process (the built CLI), with what it writes on stdout and stderr. */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isPostgresUrl } from '../../server/store/location.js';
import { CLI, cliEnv } from './cli.js';
import { tempDir } from './instance.js';

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `s15n --data DATA serve --port 0 --json ARGS...` (`--store` for a postgres:// URL) and resolves once it prints its URL. */
export function startServeProcess(data: string, args: string[] = []): Promise<ServeProcess> {
  const instance = isPostgresUrl(data) ? '--store' : '--data';
  const child = spawn(process.execPath, [CLI, instance, data, 'serve', '--port', '0', '--json', ...args], { env: cliEnv(), cwd: tempDir() });
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end < 0) return;
      const info = JSON.parse(out.slice(0, end)) as { url: string; port: number };
      resolve({
        child,
        url: info.url,
        port: info.port,
        stdout: () => out,
        stderr: () => err,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exit;
        },
      });
    });
    void exit.then((code) => reject(new Error(`serve exited with ${code} before listening: ${err}`)));
  });
}

/** A fresh self-signed certificate for 127.0.0.1 and localhost (EC P-256, valid 2 days): {dir, cert, key} paths. */
export function selfSignedCertificate(): { dir: string; cert: string; key: string } {
  const dir = tempDir('s15n-tls-');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const result = spawnSync(
    '/usr/bin/openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl failed: ${result.error?.message ?? result.stderr}`);
  return { dir, cert, key };
}
