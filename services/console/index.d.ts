/**
 * Absolute path of the built console (`npm run build -w @warden/console`). The api serves it:
 * `index.html` (the console) at `/` and `ide.html` (the GraphQL IDE) at `/ide`.
 */
export declare const consoleDistDir: string;
