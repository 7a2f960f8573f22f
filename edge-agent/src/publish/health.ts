import { statfsSync } from 'node:fs';
import { cpus } from 'node:os';
import type { GatewayHealth } from '@vigil/contracts';
import type { OutboxStats } from './outbox.js';

export type CameraHealth = GatewayHealth['cameras'][number];

/** CPU use of the whole gateway between two calls (1 = every core busy), from the kernel's counters. */
export class CpuSampler {
  private last = CpuSampler.read();

  private static read(): { idle: number; total: number } {
    let idle = 0;
    let total = 0;
    for (const c of cpus()) {
      idle += c.times.idle;
      total += c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    }
    return { idle, total };
  }

  sample(): number {
    const now = CpuSampler.read();
    const total = now.total - this.last.total;
    const idle = now.idle - this.last.idle;
    this.last = now;
    return total > 0 ? Math.min(1, Math.max(0, 1 - idle / total)) : 0;
  }
}

export function diskFreeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return 0; // the storage dir does not exist yet: report 0 rather than crash the health loop
  }
}

export interface HealthInputs {
  site: string;
  gateway: string;
  at: Date;
  cpuRatio: number;
  storageDir: string;
  cameras: CameraHealth[];
  outbox: OutboxStats;
  agentVersion: string;
  models: Record<string, string>;
  config?: GatewayHealth['config'];
}

export function buildHealth(i: HealthInputs): GatewayHealth {
  const health: GatewayHealth = {
    v: 1,
    at: i.at.toISOString(),
    site: i.site,
    gateway: i.gateway,
    cpu_ratio: i.cpuRatio,
    memory_bytes: process.memoryUsage().rss,
    disk_free_bytes: diskFreeBytes(i.storageDir),
    cameras: i.cameras,
    outbox: { depth: i.outbox.depth, oldest_age_s: i.outbox.oldestAgeSeconds, bytes: i.outbox.bytes },
    versions: { agent: i.agentVersion, models: i.models },
  };
  if (i.config) health.config = i.config;
  return health;
}
