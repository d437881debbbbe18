export * from './authenticate.js';
