/** The version of this s15n build, read once from the package.json above this file (source or dist). */
import { existsSync, readFileSync } from 'node:fs';

function findVersion(): string {
  for (const up of ['../package.json', '../../package.json', '../../../package.json']) {
    const url = new URL(up, import.meta.url);
    if (existsSync(url)) {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 's15n' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

export const VERSION = findVersion();
