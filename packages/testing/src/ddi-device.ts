import { createHash } from 'node:crypto';

/**
 * A device that speaks hawkBit DDI over HTTP the way SWUpdate's suricatta does: poll, follow the
 * link it is given verbatim, HEAD + GET the artifact, post feedback. For integration tests and
 * benchmarks.
 */
export interface DdiResponse {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

export class DdiDevice {
  /** Updates this device installed (a real device would flash them). */
  installs: string[] = [];
  base: string;

  constructor(
    readonly gatewayUrl: string,
    readonly controllerId: string,
    private token: string,
    readonly tenant = 'default',
    private scheme: 'TargetToken' | 'GatewayToken' = 'TargetToken',
  ) {
    this.base = `${gatewayUrl}/${tenant}/controller/v1/${controllerId}`;
  }

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<DdiResponse> {
    const res = await fetch(url, {
      method,
      headers: {
        authorization: `${this.scheme} ${this.token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = method === 'HEAD' ? '' : await res.text();
    let parsed: unknown = null;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  poll(): Promise<DdiResponse> {
    return this.request('GET', this.base);
  }

  static feedback(execution: string, finished: string, details: string[] = [], progress?: { cnt: number; of: number }) {
    return { id: 0, time: '20261125T101010', status: { execution, result: { finished, ...(progress ? { progress } : {}) }, details } };
  }

  /**
   * One poll cycle: follows a cancelAction or deploymentBase link. `outcome` decides what the
   * device does with a deployment: install and report success, fail, or stay silent after
   * fetching it. Returns what happened.
   */
  async cycle(outcome: 'success' | 'failure' | 'silent' | 'retrieve-only' = 'success'): Promise<'idle' | 'installed' | 'failed' | 'silent' | 'retrieved' | 'canceled'> {
    const poll = await this.poll();
    if (poll.status !== 200) throw new Error(`${this.controllerId}: poll answered ${poll.status}`);
    const links = (poll.body as { _links?: Record<string, { href: string }> })._links ?? {};
    if (links.cancelAction) {
      const c = await this.request('GET', links.cancelAction.href);
      if (c.status !== 200) throw new Error(`${this.controllerId}: cancelAction answered ${c.status}`);
      const fb = await this.request('POST', `${links.cancelAction.href}/feedback`, DdiDevice.feedback('closed', 'success', ['Update canceled']));
      if (fb.status !== 200) throw new Error(`${this.controllerId}: cancel feedback answered ${fb.status}`);
      return 'canceled';
    }
    if (!links.deploymentBase) return 'idle';
    const dep = await this.request('GET', links.deploymentBase.href);
    if (dep.status !== 200) throw new Error(`${this.controllerId}: deploymentBase answered ${dep.status}`);
    if (outcome === 'retrieve-only') return 'retrieved';
    const d = dep.body as {
      id: string;
      deployment: { chunks: { version: string; artifacts: { filename: string; size: number; hashes: { sha1: string }; _links: { download: { href: string } } }[] }[] };
    };
    const feedbackUrl = `${this.base}/deploymentBase/${d.id}/feedback`;
    const post = async (execution: string, finished: string, details: string[]) => {
      const r = await this.request('POST', feedbackUrl, DdiDevice.feedback(execution, finished, details));
      if (r.status !== 200) throw new Error(`${this.controllerId}: feedback ${execution}/${finished} answered ${r.status}`);
    };
    await post('proceeding', 'none', ['Installing Update Chunk Artifacts.']);
    if (outcome === 'silent') return 'silent';
    for (const chunk of d.deployment.chunks) {
      for (const a of chunk.artifacts) {
        const head = await this.request('HEAD', a._links.download.href);
        if (head.status !== 200 || Number(head.headers.get('content-length')) !== a.size) throw new Error(`${this.controllerId}: HEAD answered ${head.status}`);
        const bytes = Buffer.from(await (await fetch(a._links.download.href, { headers: { authorization: `${this.scheme} ${this.token}`, accept: 'application/octet-stream' } })).arrayBuffer());
        if (createHash('sha1').update(bytes).digest('hex') !== a.hashes.sha1) throw new Error(`${this.controllerId}: artifact hash mismatch`);
      }
    }
    if (outcome === 'failure') {
      await post('closed', 'failure', ['Installation failed']);
      return 'failed';
    }
    await post('closed', 'success', ['Update Installed.']);
    this.installs.push(`${d.id}:${d.deployment.chunks[0]?.version}`);
    return 'installed';
  }
}
