export * from './authenticate-device.js';
