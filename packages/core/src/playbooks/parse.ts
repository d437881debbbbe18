import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { playbookSchema, type Playbook } from './schema.js';

export interface PlaybookIssue {
  /** `steps[2].targets` style. */
  path: string;
  message: string;
  /** 1-based line in the source, when it is known. */
  line?: number | undefined;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, k) => (typeof k === 'number' ? `${out}[${k}]` : out ? `${out}.${String(k)}` : String(k)), '');
}

/**
 * Parses and validates a playbook written as YAML or JSON (JSON is YAML, so one parser serves
 * both). Throws a `ValidationError` listing every problem by path, e.g.
 * `steps[1] (patch).targets: "tier1" is not a device selector; use …`, with the line when known.
 */
export function parsePlaybook(source: string | object): Playbook {
  let data: unknown = source;
  let lineOf: (path: readonly PropertyKey[]) => number | undefined = () => undefined;
  if (typeof source === 'string') {
    const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
    const lines = lineStarts(source);
    if (doc.errors.length) {
      const issues = doc.errors.map((e) => ({ path: '(document)', message: e.message.split('\n')[0]!, line: lineAt(lines, e.pos[0]) }));
      throw invalid(issues);
    }
    data = doc.toJS();
    lineOf = (path) => {
      for (let n = path.length; n > 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
        const offset = node?.range?.[0];
        if (offset !== undefined) return lineAt(lines, offset);
      }
      return undefined;
    };
  }
  const r = playbookSchema.safeParse(data);
  if (r.success) return r.data;
  throw invalid(describe(r.error, data, lineOf));
}

function describe(error: z.ZodError, data: unknown, lineOf: (p: readonly PropertyKey[]) => number | undefined): PlaybookIssue[] {
  return error.issues.map((i) => {
    let path = formatPath(i.path);
    // Name the step by its id too: "steps[2] (patch).targets".
    if (i.path[0] === 'steps' && typeof i.path[1] === 'number') {
      const id = (data as { steps?: { id?: unknown }[] })?.steps?.[i.path[1]]?.id;
      if (typeof id === 'string') path = path.replace(`steps[${i.path[1]}]`, `steps[${i.path[1]}] (${id})`);
    }
    return { path: path || '(root)', message: i.message, line: lineOf(i.path) };
  });
}

function invalid(issues: PlaybookIssue[]): ValidationError {
  const text = issues.map((i) => `${i.path}: ${i.message}${i.line ? ` (line ${i.line})` : ''}`).join('; ');
  return new ValidationError(`invalid playbook: ${text}`, 'definition', { issues });
}

function lineStarts(s: string): number[] {
  const starts = [0];
  for (let i = 0; i < s.length; i++) if (s[i] === '\n') starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
