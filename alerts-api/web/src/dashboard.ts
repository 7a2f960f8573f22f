import { api, ApiFailure, type Alert, type AlertDetail, type Camera, type Me } from './api.js';
import { h, lineChart, svg } from './dom.js';
import { currentLang, formatTime, setLang, t, type Lang } from './i18n.js';

/**
 * The operator dashboard: login, live alert list (SSE), alert detail with evidence and actions, camera
 * map and health grid, flood charts. Plain DOM: everything re-renders from `state` on change.
 */
const state = {
  me: null as Me | null,
  alerts: new Map<number, Alert>(),
  selected: null as number | null,
  detail: null as AlertDetail | null,
  cameras: [] as Camera[],
  flood: new Map<string, [string, number | null][]>(),
  live: false,
  error: '',
};

const root = document.getElementById('app')!;

function fill(el: HTMLElement, ...children: (Node | null)[]): void {
  el.replaceChildren(...children.filter((c): c is Node => c !== null));
}

function langSwitch(onChange: () => void): HTMLElement {
  const sel = h('select', { id: 'lang', 'aria-label': 'Language / Ngôn ngữ', onchange: (e) => (setLang((e.target as HTMLSelectElement).value as Lang), onChange()) }, h('option', { value: 'vi' }, 'Tiếng Việt'), h('option', { value: 'en' }, 'English')) as HTMLSelectElement;
  sel.value = currentLang();
  return sel;
}

function renderLogin(): void {
  const form = h(
    'form',
    {
      id: 'login',
      class: 'card login',
      onsubmit: async (e) => {
        e.preventDefault();
        const f = e.target as HTMLFormElement;
        try {
          state.me = await api<Me>('/api/v1/auth/login', { method: 'POST', body: { username: (f.elements.namedItem('username') as HTMLInputElement).value, password: (f.elements.namedItem('password') as HTMLInputElement).value } });
          state.error = '';
          await start();
        } catch (err) {
          state.error = err instanceof ApiFailure && err.status === 401 ? t('loginFailed') : (err as Error).message;
          renderLogin();
        }
      },
    },
    h('h1', {}, t('title')),
    h('label', {}, t('username'), h('input', { name: 'username', autocomplete: 'username', required: true })),
    h('label', {}, t('password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    state.error ? h('p', { class: 'error', role: 'alert' }, state.error) : null,
    h('button', { type: 'submit' }, t('login')),
    langSwitch(renderLogin),
  );
  root.replaceChildren(form);
}

async function start(): Promise<void> {
  const page = await api<{ items: Alert[] }>('/api/v1/alerts?state=firing,acknowledged&limit=200');
  state.alerts = new Map(page.items.map((a) => [a.id, a]));
  await refreshCameras();
  render();
  connectFeed();
}

function seesFlood(): boolean {
  return !state.me?.types || state.me.types.includes('flood_level');
}

async function refreshCameras(): Promise<void> {
  state.cameras = await api<Camera[]>('/api/v1/cameras');
  if (!seesFlood()) return;
  for (const c of state.cameras) {
    const pts = await api<{ at: string; water_level_cm: number | null }[]>(`/api/v1/series/water-level?site=${encodeURIComponent(c.site)}&camera=${encodeURIComponent(c.camera)}`);
    if (pts.length) state.flood.set(`${c.site}/${c.camera}`, pts.map((p) => [p.at, p.water_level_cm]));
  }
}

let feed: EventSource | undefined;
let cameraTimer: number | undefined;
function connectFeed(): void {
  feed?.close();
  feed = new EventSource('/api/v1/feed');
  feed.onopen = () => ((state.live = true), renderStatus());
  feed.onerror = () => ((state.live = false), renderStatus());
  const kinds = ['alert.firing', 'alert.acknowledged', 'alert.assigned', 'alert.noted', 'alert.resolved', 'alert.verdict', 'alert.repeat', 'alert.escalation'];
  for (const kind of kinds) {
    feed.addEventListener(kind, (e) => {
      const msg = JSON.parse((e as MessageEvent<string>).data) as { alert: Alert };
      const old = state.alerts.get(msg.alert.id);
      if (msg.alert.status === 'resolved') state.alerts.delete(msg.alert.id);
      else state.alerts.set(msg.alert.id, { ...msg.alert, snapshot_url: msg.alert.snapshot_url ?? old?.snapshot_url ?? null });
      if (!old && msg.alert.status !== 'resolved') void fillSnapshot(msg.alert.id);
      renderAlerts();
      if (state.selected === msg.alert.id) void openDetail(msg.alert.id);
      clearTimeout(cameraTimer);
      cameraTimer = window.setTimeout(() => void refreshCameras().then(renderSide), 500);
    });
  }
}

async function fillSnapshot(id: number): Promise<void> {
  const d = await api<AlertDetail>(`/api/v1/alerts/${id}`);
  const a = state.alerts.get(id);
  const snap = d.evidence.find((e) => e.content_type.startsWith('image/') && e.stored);
  if (a && snap) {
    a.snapshot_url = snap.url;
    renderAlerts();
  }
}

function render(): void {
  root.replaceChildren(
    h(
      'header',
      { class: 'top' },
      h('h1', {}, t('title')),
      h('span', { id: 'live', class: 'live' }),
      h('span', { class: 'who' }, `${state.me?.display_name ?? ''} (${state.me?.role ?? ''})`),
      langSwitch(render),
      h('button', { id: 'logout', onclick: async () => (await api('/api/v1/auth/logout', { method: 'POST' }), feed?.close(), (state.me = null), renderLogin()) }, t('logout')),
    ),
    h('main', { class: 'grid' }, h('section', { id: 'alerts', class: 'panel alerts' }), h('section', { id: 'detail', class: 'panel detail' }), h('section', { id: 'side', class: 'panel side' })),
  );
  renderStatus();
  renderAlerts();
  renderDetail();
  renderSide();
}

function renderStatus(): void {
  const el = document.getElementById('live');
  if (el) ((el.textContent = state.live ? `● ${t('connected')}` : `○ ${t('reconnecting')}`), (el.className = state.live ? 'live on' : 'live'));
}

function badge(status: string): HTMLElement {
  return h('span', { class: `status ${status}` }, t(status));
}

function renderAlerts(): void {
  const el = document.getElementById('alerts');
  if (!el) return;
  const list = [...state.alerts.values()].sort((a, b) => b.fired_at.localeCompare(a.fired_at));
  el.replaceChildren(
    h('h2', {}, `${t('alerts')} (${list.length})`),
    list.length === 0
      ? h('p', { class: 'empty' }, t('noAlerts'))
      : h(
          'ul',
          { class: 'alert-list' },
          ...list.map((a) =>
            h(
              'li',
              { class: `alert ${a.status}${state.selected === a.id ? ' selected' : ''}`, 'data-alert-id': a.id, tabindex: 0, onclick: () => void openDetail(a.id) },
              a.snapshot_url ? h('img', { src: a.snapshot_url, alt: '', class: 'thumb' }) : h('span', { class: 'thumb none' }),
              h('span', { class: 'type' }, a.type.replace(/_/g, ' ')),
              h('span', { class: 'where' }, `${a.site} · ${a.camera ?? a.gateway}`),
              h('time', {}, formatTime(a.fired_at)),
              badge(a.status),
            ),
          ),
        ),
  );
}

async function openDetail(id: number): Promise<void> {
  state.selected = id;
  state.detail = await api<AlertDetail>(`/api/v1/alerts/${id}`);
  renderAlerts();
  renderDetail();
}

async function act(path: string, body: unknown): Promise<void> {
  if (state.selected === null) return;
  try {
    const a = await api<Alert>(`/api/v1/alerts/${state.selected}/${path}`, { method: 'POST', body });
    if (a.status === 'resolved') state.alerts.delete(a.id);
    else state.alerts.set(a.id, { ...a, snapshot_url: state.alerts.get(a.id)?.snapshot_url ?? null });
    await openDetail(a.id);
  } catch (err) {
    alert((err as Error).message);
  }
}

function renderDetail(): void {
  const el = document.getElementById('detail');
  if (!el) return;
  const d = state.detail;
  if (!d) return void el.replaceChildren();
  const a = d.alert;
  const canAct = state.me?.role !== 'viewer';
  const note = h('input', { id: 'note-text', placeholder: t('addNote') }) as HTMLInputElement;
  fill(
    el,
    h('h2', {}, `#${a.id} ${a.type.replace(/_/g, ' ')} `, badge(a.status)),
    h('p', {}, `${t('site')}: ${a.site} · ${t('camera')}: ${a.camera ?? '-'} · ${formatTime(a.fired_at)}`),
    a.acknowledged_by ? h('p', { class: 'ack-by' }, `${t('acknowledged')} ${t('by')} ${a.acknowledged_by}`) : null,
    h('h3', {}, t('evidence')),
    h(
      'div',
      { class: 'evidence' },
      ...d.evidence.map((e) =>
        h(
          'figure',
          {},
          e.content_type.startsWith('image/') && e.stored ? h('img', { src: e.url, alt: e.kind, class: 'evidence-img' }) : h('a', { href: e.url }, e.kind),
          h('figcaption', {}, h('code', { class: 'sha256' }, `sha256 ${e.sha256}`)),
        ),
      ),
    ),
    h('dl', { class: 'attrs' }, ...Object.entries(d.events[d.events.length - 1]?.attributes ?? {}).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])),
    canAct
      ? h(
          'div',
          { class: 'actions' },
          a.status === 'firing' ? h('button', { id: 'ack', onclick: () => void act('acknowledge', {}) }, t('acknowledge')) : null,
          a.status !== 'resolved' ? h('button', { id: 'resolve', onclick: () => void act('resolve', {}) }, t('resolve')) : null,
          h('button', { onclick: () => void act('verdict', { verdict: 'true_alarm' }) }, t('trueAlarm')),
          h('button', { onclick: () => void act('verdict', { verdict: 'false_alarm' }) }, t('falseAlarm')),
          note,
          h('button', { onclick: () => note.value && void act('notes', { text: note.value }) }, t('addNote')),
        )
      : null,
    d.notes.length ? h('h3', {}, t('notes')) : null,
    ...d.notes.map((n) => h('p', { class: 'note' }, `${formatTime(n.at)} ${n.author}: ${n.text}`)),
    h('h3', {}, t('audit')),
    h('ol', { class: 'audit' }, ...d.audit.map((r) => h('li', {}, `${formatTime(r.at)} ${r.actor} ${r.action}`))),
    h('button', { class: 'close', onclick: () => ((state.selected = null), (state.detail = null), renderDetail(), renderAlerts()) }, t('close')),
  );
}

function renderSide(): void {
  const el = document.getElementById('side');
  if (!el) return;
  fill(
    el,
    h('h2', {}, t('map')),
    cameraMap(state.cameras),
    h('h2', {}, t('health')),
    h(
      'div',
      { class: 'health-grid' },
      ...state.cameras.map((c) => h('div', { class: `cam ${c.state}`, title: `${c.site}/${c.gateway}/${c.camera}` }, h('strong', {}, c.camera), h('span', {}, `${c.health}${c.fps !== null ? ` · ${c.fps} fps` : ''}`), h('span', {}, c.open_alerts ? `${c.open_alerts} ⚠` : ''))),
    ),
    seesFlood() && state.flood.size ? h('h2', {}, t('flood')) : null,
    ...[...state.flood.entries()].map(([key, pts]) => h('figure', { class: 'flood' }, h('figcaption', {}, `${key} — ${pts[pts.length - 1]?.[1] ?? '–'} cm`), lineChart(pts))),
  );
}

/** Cameras at their configured positions (equirectangular, fitted to the bounds); no tile server. */
function cameraMap(cams: Camera[]): Element {
  const placed = cams.filter((c) => c.location);
  if (placed.length === 0) return h('p', { class: 'empty' }, `${cams.length} ${t('camera')} — ${t('noLocation')}`);
  const lats = placed.map((c) => c.location![0]);
  const lons = placed.map((c) => c.location![1]);
  const pad = 0.002;
  const [la0, la1, lo0, lo1] = [Math.min(...lats) - pad, Math.max(...lats) + pad, Math.min(...lons) - pad, Math.max(...lons) + pad];
  const W = 400;
  const H = 260;
  const map = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'map' });
  for (const c of placed) {
    const x = ((c.location![1] - lo0) / (lo1 - lo0)) * W;
    const y = H - ((c.location![0] - la0) / (la1 - la0)) * H;
    const dot = svg('circle', { cx: x, cy: y, r: 8, class: `pin ${c.state}` });
    dot.append(Object.assign(document.createElementNS('http://www.w3.org/2000/svg', 'title'), { textContent: `${c.camera}: ${t(c.state)}` }));
    map.append(dot, svg('text', { x: x + 10, y: y + 4, class: 'pin-label' }));
    (map.lastChild as SVGElement).textContent = c.camera;
  }
  return map;
}

document.documentElement.lang = currentLang();
if (new URLSearchParams(location.search).has('wall')) document.body.classList.add('wall');
api<Me>('/api/v1/auth/me')
  .then(async (me) => {
    state.me = me;
    await start();
  })
  .catch(() => renderLogin());
