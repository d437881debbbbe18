/** A dependency a service needs to do its work, checked by `/ready`. */
export interface DependencyCheck {
  name: string;
  check(): Promise<void>;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

/** Runs every check in parallel with a timeout; names the ones that failed. */
export async function checkReadiness(deps: DependencyCheck[], timeoutMs = 2000): Promise<Readiness> {
  const results = await Promise.all(
    deps.map(async (d) => {
      const start = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          d.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [d.name, { ok: true, ms: Math.round(performance.now() - start) }] as const;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return [d.name, { ok: false, error, ms: Math.round(performance.now() - start) }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
}
