/** Fetch helpers: same-origin, cookie session, JSON errors carry { code, message }. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body !== undefined ? { 'content-type': 'application/json' } : {},
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok) throw new ApiFailure(res.status, body.code ?? 'UNKNOWN', body.message ?? res.statusText);
  return body as T;
}

export interface Alert {
  id: number;
  type: string;
  status: 'firing' | 'acknowledged' | 'resolved';
  site: string;
  gateway: string;
  camera: string | null;
  score: number;
  fired_at: string;
  last_event_at: string;
  acknowledged_by: string | null;
  resolved_by: string | null;
  assignee: string | null;
  verdict: string | null;
  snapshot_url?: string | null;
}

export interface AlertDetail {
  alert: Alert;
  events: { id: string; phase: string; frame_at: string; score: number; attributes: Record<string, unknown> }[];
  evidence: { sha256: string; kind: string; content_type: string; bytes: number; url: string; stored: boolean }[];
  notes: { author: string; text: string; at: string }[];
  verdict: { verdict: string; decided_by: string } | null;
  audit: { at: string; actor: string; action: string }[];
}

export interface Camera {
  site: string;
  gateway: string;
  camera: string;
  health: string;
  fps: number | null;
  state: 'offline' | 'firing' | 'acknowledged' | 'ok';
  open_alerts: number;
  last_event_at: string | null;
  location: [number, number] | null;
}

export interface Me {
  username: string;
  display_name: string;
  role: string;
  types: string[] | null;
}
