// Bundles the dashboard into the API host's static files (src/EmiPlatform.Api/wwwroot/dashboard), which it serves at /dashboard/.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../../src/EmiPlatform.Api/wwwroot/dashboard');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [path.join(here, 'src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  outfile: path.join(out, 'dashboard.js'),
  logLevel: 'warning',
});
await copyFile(path.join(here, 'node_modules/uplot/dist/uPlot.min.css'), path.join(out, 'uPlot.min.css'));
await copyFile(path.join(here, 'src/index.html'), path.join(out, 'index.html'));
await copyFile(path.join(here, 'src/styles.css'), path.join(out, 'styles.css'));
console.log(`dashboard: built into ${path.relative(process.cwd(), out)}`);
