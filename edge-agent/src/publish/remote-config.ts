import { isDeepStrictEqual } from 'node:util';
import { writeFileSync, renameSync, readFileSync, existsSync } from 'node:fs';
import {
  checkConfigText,
  decodeMessage,
  formatIssues,
  formatProblem,
  type CameraConfig,
  type GatewayConfig,
  type GatewayHealth,
} from '@vigil/contracts';
import type { Logger } from '@vigil/observe';
import { systemClock, type Clock } from '@vigil/observe';

export type GatewaySection = 'mqtt' | 'storage' | 'inference';

/** What changed between two configs, so the pipeline restarts only the cameras that changed. */
export interface ConfigDiff {
  added: CameraConfig[];
  removed: string[];
  changed: CameraConfig[];
  unchanged: string[];
  /** Gateway-wide sections that differ (their owners decide what a change means, e.g. reconnect). */
  sections: GatewaySection[];
}

export function diffConfigs(prev: GatewayConfig, next: GatewayConfig): ConfigDiff {
  const before = new Map(prev.cameras.map((c) => [c.id, c]));
  const after = new Map(next.cameras.map((c) => [c.id, c]));
  const diff: ConfigDiff = { added: [], removed: [], changed: [], unchanged: [], sections: [] };
  for (const [id, cam] of after) {
    const old = before.get(id);
    if (!old) diff.added.push(cam);
    else if (isDeepStrictEqual(old, cam)) diff.unchanged.push(id);
    else diff.changed.push(cam);
  }
  for (const id of before.keys()) if (!after.has(id)) diff.removed.push(id);
  for (const s of ['mqtt', 'storage', 'inference'] as const) if (!isDeepStrictEqual(prev[s], next[s])) diff.sections.push(s);
  return diff;
}

export function isEmptyDiff(d: ConfigDiff): boolean {
  return !d.added.length && !d.removed.length && !d.changed.length && !d.sections.length;
}

export type RemoteConfigOutcome =
  | { status: 'applied'; revision: number; diff: ConfigDiff }
  | { status: 'ignored'; revision: number; reason: string }
  | { status: 'rejected'; revision: number | null; reason: string };

export interface RemoteConfigOptions {
  site: string;
  gateway: string;
  /** The config the agent started with (the local file). */
  current: GatewayConfig;
  /** Applies a validated config; throwing rejects it (the last good config stays). */
  apply: (next: GatewayConfig, diff: ConfigDiff, revision: number) => void | Promise<void>;
  /** Where the last good remote config is kept, so a restart resumes it even if the broker is down. */
  stateFile?: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
}

interface SavedState {
  revision: number;
  yaml: string;
}

/**
 * The retained per-gateway config topic. A new revision is validated with the same checks as
 * `vigil config check`; a good one is handed to `apply` with a diff; a bad one is refused, the last
 * good config keeps running, and the reason is logged and reported in GatewayHealth.config.rejected.
 */
export class RemoteConfig {
  private config: GatewayConfig;
  private revision = 0;
  private rejected: NonNullable<GatewayHealth['config']>['rejected'];
  private readonly clock: Clock;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RemoteConfigOptions) {
    this.config = options.current;
    this.clock = options.clock ?? systemClock;
  }

  get current(): GatewayConfig {
    return this.config;
  }

  /** For GatewayHealth.config. */
  state(): NonNullable<GatewayHealth['config']> {
    return this.rejected ? { revision: this.revision, rejected: { ...this.rejected } } : { revision: this.revision };
  }

  /** Re-applies the saved last good remote config at startup, before the broker is reachable. */
  async resume(): Promise<RemoteConfigOutcome | null> {
    const file = this.options.stateFile;
    if (!file || !existsSync(file)) return null;
    let saved: SavedState;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
    } catch (err) {
      this.options.logger?.warn({ file, err }, 'saved remote config is unreadable; running the local config');
      return null;
    }
    return this.consider(saved.revision, saved.yaml, `saved remote config ${file}`);
  }

  /** Handles one payload from the config topic. Calls are serialised: one apply at a time. */
  handle(payload: Uint8Array | string): Promise<RemoteConfigOutcome> {
    const run = this.queue.then(() => this.handleNow(payload));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async handleNow(payload: Uint8Array | string): Promise<RemoteConfigOutcome> {
    if ((typeof payload === 'string' ? payload.length : payload.byteLength) === 0) {
      return { status: 'ignored', revision: this.revision, reason: 'empty retained message (config topic cleared); keeping the current config' };
    }
    const decoded = decodeMessage('gateway-config', payload, 1_100_000);
    if (!decoded.ok) return this.reject(null, `config message breaks the contract: ${formatIssues(decoded.issues)}`);
    return this.consider(decoded.value.revision, decoded.value.yaml, `remote config revision ${decoded.value.revision}`);
  }

  private async consider(revision: number, yaml: string, source: string): Promise<RemoteConfigOutcome> {
    if (revision <= this.revision) {
      return { status: 'ignored', revision, reason: `revision ${revision} is not newer than ${this.revision}` };
    }
    const checked = checkConfigText(yaml, source, this.options.env ?? process.env);
    if (!checked.ok) return this.reject(revision, checked.problems.map(formatProblem).join('\n'));
    const next = checked.config;
    if (next.site !== this.options.site || next.gateway !== this.options.gateway) {
      return this.reject(revision, `${source} is for ${next.site}/${next.gateway}, but this gateway is ${this.options.site}/${this.options.gateway}: publish it to that gateway's config topic`);
    }
    const diff = diffConfigs(this.config, next);
    try {
      await this.options.apply(next, diff, revision);
    } catch (err) {
      return this.reject(revision, `applying ${source} failed: ${(err as Error).message}`);
    }
    this.config = next;
    this.revision = revision;
    this.rejected = undefined;
    this.save(revision, yaml);
    this.options.logger?.info({ revision, added: diff.added.map((c) => c.id), changed: diff.changed.map((c) => c.id), removed: diff.removed, sections: diff.sections }, 'remote config applied');
    return { status: 'applied', revision, diff };
  }

  private reject(revision: number | null, reason: string): RemoteConfigOutcome {
    this.options.logger?.error({ revision, reason, keeping: this.revision }, 'remote config refused; keeping the last good config');
    if (revision !== null) this.rejected = { revision, at: new Date(this.clock.now()).toISOString(), reason: reason.slice(0, 4000) };
    return { status: 'rejected', revision, reason };
  }

  private save(revision: number, yaml: string): void {
    const file = this.options.stateFile;
    if (!file) return;
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ revision, yaml } satisfies SavedState));
    renameSync(tmp, file);
  }
}
