// Charts of the scorecard and survey screens, drawn by Chart.js. Only this module imports it, and the screens
// reach it through a dynamic import, so Chart.js is a chunk of its own, fetched when a chart is first shown
// (bench/admin_size.py). Registered by hand (no "chart.js/auto"): only the bar and line charts, their two
// scales, the legend and the tooltip are in the chunk.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from "chart.js";
import { h } from "./dom";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
Chart.defaults.font.family = 'system-ui, "Noto Sans", "Noto Sans Devanagari", sans-serif'; // the page's own fonts
Chart.defaults.color = "#1b1f24";
Chart.defaults.animation = false; // drawn at once: a re-render (language, month) does not replay

// Series colours, each at least 3:1 against white (WCAG 1.4.11, graphics); tests look for these pixels.
export const COLOURS = ["#0b4f8a", "#c25400", "#1e6b34"] as const;

export type Series = { label: string; data: (number | null)[]; type?: "bar" | "line"; axis?: "y" | "y1" };

/** A chart's canvas in a sized box, named for assistive technology (the table beside it has the figures). */
function frame(label: string, height: number): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h("canvas", { role: "img", "aria-label": label });
  const box = h("div", { class: "chart", style: `height: ${height}px` }, canvas);
  return { box, canvas };
}

/** Charts whose canvas has left the page (a screen drawn again) are destroyed, their observers with them. */
function sweep(): void {
  for (const chart of Object.values(Chart.instances)) if (!chart.canvas.isConnected) chart.destroy();
}

/** Draw once the box is in the document (Chart.js sizes the canvas to its parent). */
function draw(box: HTMLElement, canvas: HTMLCanvasElement, config: ChartConfiguration): void {
  const start = () => {
    sweep();
    new Chart(canvas, config);
  };
  if (box.isConnected) start();
  else queueMicrotask(() => (box.isConnected ? start() : requestAnimationFrame(start)));
}

function datasets(series: Series[]): ChartDataset[] {
  return series.map(
    (s, i) =>
      ({
        type: s.type ?? "bar",
        label: s.label,
        data: s.data,
        yAxisID: s.axis ?? "y",
        backgroundColor: COLOURS[i % COLOURS.length],
        borderColor: COLOURS[i % COLOURS.length],
        borderWidth: s.type === "line" ? 3 : 0,
        pointRadius: 4,
        spanGaps: false,
        clip: false, // a point at 100 % is drawn whole on the chart area's top edge
      }) as ChartDataset,
  );
}

/** A bar chart (horizontal when `horizontal`), each series a colour; nulls are left out (no bar). */
export function barChart(
  label: string,
  categories: string[],
  series: Series[],
  options: { horizontal?: boolean; max?: number; axisTitle?: string; height?: number } = {},
): HTMLElement {
  const { box, canvas } = frame(label, options.height ?? 300);
  const value = options.horizontal ? "x" : "y";
  const config: ChartConfiguration = {
    type: "bar",
    data: { labels: categories, datasets: datasets(series) },
    options: {
      indexAxis: options.horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: series.length > 1, position: "bottom" } },
      scales: {
        [value]: {
          beginAtZero: true,
          max: options.max,
          ticks: { precision: 0 },
          title: { display: !!options.axisTitle, text: options.axisTitle ?? "" },
        },
      },
    },
  };
  draw(box, canvas, config);
  return box;
}

/** Bars of counts on the left axis and a line of a percentage (0–100) on the right, over the same categories. */
export function barLineChart(
  label: string,
  categories: string[],
  series: Series[],
  axes: { counts: string; percent: string },
  height = 320,
): HTMLElement {
  const { box, canvas } = frame(label, height);
  const config: ChartConfiguration = {
    type: "bar",
    data: { labels: categories, datasets: datasets(series) },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      layout: { padding: { top: 8 } },
      plugins: { legend: { position: "bottom" } },
      scales: {
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: axes.counts } },
        y1: {
          position: "right",
          min: 0,
          max: 100,
          grid: { drawOnChartArea: false },
          title: { display: true, text: axes.percent },
        },
      },
    },
  };
  draw(box, canvas, config);
  return box;
}
