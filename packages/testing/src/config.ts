import { loadConfig, type Config } from '@warden/config';

/** Configuration for a test: fast password hashing, quiet logs, the given database and Redis prefix. */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PASSWORD_MEMORY_KIB: '1024',
    PASSWORD_ITERATIONS: '1',
    TOKEN_PEPPER: 'test-pepper-0123456789',
    // Tests read detection's checkpointed state (waitForDetection); don't make them wait 5 s for it.
    DETECTION_CHECKPOINT_MS: '100',
    // Tests run many gateways at once: each picks a free operations port.
    GATEWAY_OPS_PORT: '0',
    API_OPS_PORT: '0',
    ...env,
  });
}
