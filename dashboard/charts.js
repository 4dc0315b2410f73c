// chart.js helpers: one palette readable on light and dark backgrounds, a linear time axis
// (x = unix ms; no date adapter needed), the batch-horizon marker plugin, and a registry
// exposed as window.__charts so tests and operators can inspect what is drawn.
import { el, empty } from './ui.js';

/** @type {Record<string, any>} */
const registry = (window.__charts = window.__charts ?? {});

export const COLORS = {
  blue: '#2563eb',
  orange: '#d97706',
  green: '#059669',
  red: '#dc2626',
  purple: '#7c3aed',
  grey: '#64748b',
  teal: '#0d9488',
};

/** Draws a dashed vertical line at options.value (an x-axis value) with a label. */
export const horizonMarker = {
  id: 'horizonMarker',
  afterDatasetsDraw(chart, _args, opts) {
    if (!opts || opts.value === null || opts.value === undefined) return;
    const x = chart.scales.x?.getPixelForValue(opts.value);
    const area = chart.chartArea;
    if (x === undefined || !Number.isFinite(x) || x < area.left || x > area.right) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = opts.color ?? COLORS.purple;
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(x, area.top);
    ctx.lineTo(x, area.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = opts.color ?? COLORS.purple;
    ctx.font = '12px system-ui, sans-serif';
    const label = opts.label ?? 'batch horizon';
    const w = ctx.measureText(label).width;
    ctx.fillText(label, Math.min(x + 4, area.right - w), area.top + 12);
    ctx.restore();
  },
};

export const chartAvailable = () => typeof window.Chart === 'function';
if (chartAvailable()) window.Chart.register(horizonMarker);

const timeTick = (range) => (v) => {
  const d = new Date(Number(v));
  return range === 'day' ? d.toISOString().slice(5, 10) : d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
};

/** Options for a line/bar chart over a linear x axis of unix-ms values. */
export function timeOptions({ yTitle, range = 'minute', stacked = false, y2Title } = {}) {
  const scales = {
    x: { type: 'linear', ticks: { callback: timeTick(range), maxRotation: 0, autoSkipPadding: 16 }, grid: { display: false }, stacked },
    y: { beginAtZero: true, title: { display: !!yTitle, text: yTitle }, stacked },
  };
  if (y2Title) scales.y2 = { position: 'right', beginAtZero: true, title: { display: true, text: y2Title }, grid: { drawOnChartArea: false } };
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false, axis: 'x' },
    plugins: {
      legend: { position: 'bottom', labels: { boxWidth: 12 } },
      tooltip: { callbacks: { title: (items) => (items[0] ? new Date(items[0].parsed.x).toLocaleString('en-GB') : '') } },
    },
    scales,
  };
}

/**
 * Mounts a chart in `container` under `name` (window.__charts[name]). Shows `emptyText`
 * instead of a blank canvas while there is no data; call update() after changing data.
 */
export function mountChart(container, name, config, { label, emptyText = 'No data yet.' } = {}) {
  const canvas = el('canvas', { role: 'img', 'aria-label': label ?? name });
  const note = empty(emptyText);
  const box = el('div', { class: 'chart-box' }, canvas);
  container.append(note, box);
  if (!chartAvailable()) {
    note.textContent = 'Charts are unavailable: chart.js did not load (/vendor/chart.js/chart.umd.js).';
    box.hidden = true;
    return { chart: null, update() {}, destroy() {} };
  }
  const chart = new window.Chart(canvas, config);
  registry[name] = chart;
  const hasData = () => chart.data.datasets.some((d) => d.data.length > 0);
  const sync = () => {
    const any = hasData();
    note.hidden = any;
    box.classList.toggle('is-empty', !any);
  };
  sync();
  return {
    chart,
    update() {
      sync();
      chart.update('none');
    },
    destroy() {
      chart.destroy();
      if (registry[name] === chart) delete registry[name];
    },
  };
}
