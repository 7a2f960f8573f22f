import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webRoot = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');

/** Where the built dashboard lands (never committed; built at start and by `npm run build:web`). */
export function webDistDir(): string {
  return join(webRoot, 'dist');
}

/**
 * Bundles the dashboard and the public flood page (plain TypeScript + DOM, no framework) with esbuild:
 * offline, about a tenth of a second, so `vigil api` and the tests build it themselves.
 */
export async function buildDashboard(outDir = webDistDir()): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { dashboard: join(webRoot, 'src', 'dashboard.ts'), public: join(webRoot, 'src', 'public.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'public.html', 'style.css']) copyFileSync(join(webRoot, f), join(outDir, f));
  return outDir;
}
