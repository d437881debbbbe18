export * from './authenticate-device.js';
export * from './gateway-credentials.js';
