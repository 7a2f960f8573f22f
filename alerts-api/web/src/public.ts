import { h, lineChart } from './dom.js';
import { currentLang, formatTime, setLang, t, type Lang } from './i18n.js';

interface Hotspot {
  name: string;
  water_level_cm: number | null;
  level: string;
  trend: string;
  updated_at: string;
  recent: [string, number | null][];
}

/** The public flood page: no login, one card per hotspot, refreshed every minute. */
const root = document.getElementById('app')!;
let hotspots: Hotspot[] = [];
const arrows: Record<string, string> = { rising: '↑', falling: '↓', steady: '→', unknown: '·' };

function render(): void {
  const sel = h('select', { id: 'lang', 'aria-label': 'Language / Ngôn ngữ', onchange: (e) => (setLang((e.target as HTMLSelectElement).value as Lang), render()) }, h('option', { value: 'vi' }, 'Tiếng Việt'), h('option', { value: 'en' }, 'English')) as HTMLSelectElement;
  sel.value = currentLang();
  root.replaceChildren(
    h('header', { class: 'top' }, h('h1', {}, t('publicTitle')), sel),
    h('p', { class: 'note' }, t('publicNote')),
    hotspots.length === 0
      ? h('p', { class: 'empty' }, t('noHotspots'))
      : h(
          'div',
          { class: 'hotspots' },
          ...hotspots.map((s) =>
            h(
              'article',
              { class: `hotspot ${s.level}`, 'data-hotspot': s.name },
              h('h2', {}, s.name),
              h('p', { class: 'depth' }, s.water_level_cm === null ? '–' : `${s.water_level_cm.toFixed(0)} cm`),
              h('p', {}, `${t('level')}: `, h('strong', { class: 'level' }, t(s.level)), ` · ${t('trend')}: ${arrows[s.trend] ?? ''} ${t(s.trend)}`),
              lineChart(s.recent, 320, 80),
              h('p', { class: 'updated' }, `${t('updated')} ${formatTime(s.updated_at)}`),
            ),
          ),
        ),
  );
}

async function load(): Promise<void> {
  const res = await fetch('/api/v1/public/flood');
  if (res.ok) hotspots = ((await res.json()) as { hotspots: Hotspot[] }).hotspots;
  render();
}

document.documentElement.lang = currentLang();
void load();
setInterval(() => void load(), 60_000);
