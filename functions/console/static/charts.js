// Charts of the reports, drawn with uPlot (vendored under
// vendor/uplot@1.6.32, checked against its npm lock by scripts/check-vendor).
// Each chart has its figures in a table beside it too (reports.js), so
// nothing is only in a picture.
import uPlot from './vendor/uplot@1.6.32/dist/uPlot.esm.js';
import { h } from './dom.js';

const COLORS = ['#0b57d0', '#b3261e', '#146c2e', '#7c4dff', '#e8710a', '#00838f', '#5f6368'];

// lineChart draws series [{label, values}] over x (numbers), with xLabel
// naming each x; bars draws them as bars.
export function chart({ id, title, x, xLabel, series, bars = false, yLabel = '', yMax = null, width = 720, height = 260 }) {
  const box = h('figure', { class: 'stats-chart', id }, h('figcaption', null, title));
  const opts = {
    width, height,
    scales: { x: { time: false }, ...(yMax != null ? { y: { range: [0, yMax] } } : {}) },
    axes: [
      { values: (u, ticks) => ticks.map((t) => xLabel(t)), space: 50 },
      { label: yLabel, size: 60 },
    ],
    series: [{ label: 'x', value: (u, v) => (v == null ? '' : xLabel(v)) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: COLORS[i % COLORS.length],
        fill: bars ? `${COLORS[i % COLORS.length]}55` : undefined,
        width: 2,
        paths: bars ? uPlot.paths.bars({ size: [0.7, 60] }) : undefined,
        points: { show: !bars },
      }))],
    legend: { show: true },
  };
  const data = [x, ...series.map((s) => s.values)];
  // Drawn once the figure is in the document (uPlot measures its parent).
  queueMicrotask(() => {
    try {
      box.chart = new uPlot(opts, data, box);
      box.dataset.drawn = 'true';
    } catch (e) {
      box.append(h('p', { class: 'error' }, `Cannot draw the chart: ${e.message}`));
    }
  });
  return box;
}
