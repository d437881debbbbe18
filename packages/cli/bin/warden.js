#!/usr/bin/env node
// The sources are TypeScript, run through tsx as every Warden process is (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
await main();
