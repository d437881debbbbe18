import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the built console (`npm run build -w @warden/console`). The api serves it:
 * `index.html` (the console) at `/` and `ide.html` (the GraphQL IDE) at `/ide`.
 */
export const consoleDistDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist');
