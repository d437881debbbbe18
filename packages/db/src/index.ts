export { createDb, type Db } from './client.js';
export * from './admin.js';
export * from './generated/client.js';
export * from './sql/index.js';
