import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * A server process started by a test. We spawn the server binary itself (no shell, no daemonising),
 * so `pid` is the server's own PID and stop() really stops it.
 */
export class ServiceProcess {
  readonly name: string;
  private child: ChildProcess;
  private exited: Promise<number | null>;
  private output = '';

  constructor(name: string, command: string, args: string[], options: SpawnOptions = {}) {
    this.name = name;
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 20 kB of stdout+stderr, for error messages. */
  get log(): string {
    return this.output;
  }

  onOutput(listener: (text: string) => void): void {
    this.child.stdout?.on('data', (c: Buffer) => listener(c.toString()));
    this.child.stderr?.on('data', (c: Buffer) => listener(c.toString()));
  }

  /** SIGTERM, then SIGKILL after graceMs. Resolves once the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** kill -9: for crash tests. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  waitExit(): Promise<number | null> {
    return this.exited;
  }
}

const live = new Set<ServiceProcess>();
// A test that fails before its cleanup must not leave servers behind holding ports.
process.once('exit', () => {
  for (const p of live) if (p.running) p.pid > 0 && process.kill(p.pid, 'SIGKILL');
});
