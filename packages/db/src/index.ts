export { createDb, type Db } from './client.js';
export * from './admin.js';
export * from './generated/client.js';
export * from './sql/devices.js';
export * from './sql/pool.js';
export * from './sql/device-search.js';
export * from './sql/blast-radius.js';
export * from './sql/telemetry.sql.js';
export * from './sql/telemetry-queries.sql.js';
