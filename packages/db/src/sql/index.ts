export * from './pool.js';
export * from './telemetry.sql.js';
export * from './telemetry-queries.sql.js';
