// Time series with uPlot. onZoom, when given, is called with the range a
// user drags across (epoch milliseconds).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { theme, useSignal } from '../signal';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

export function TimeChart(props: {
  times: number[]; // epoch ms
  series: Series[];
  height?: number;
  bars?: boolean;
  label: string;
  onZoom?: (fromMs: number, toMs: number) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const th = useSignal(theme);
  useEffect(() => {
    const node = el.current!;
    const width = Math.max(300, node.clientWidth || 600);
    const data: uPlot.AlignedData = [props.times.map((t) => t / 1000), ...props.series.map((s) => s.values)];
    const css = getComputedStyle(document.documentElement);
    const axisColor = css.getPropertyValue('--muted').trim() || '#888';
    const gridColor = css.getPropertyValue('--grid').trim() || '#333';
    const opts: uPlot.Options = {
      width,
      height: props.height ?? 160,
      cursor: { drag: { x: !!props.onZoom, y: false, setScale: false } },
      legend: { show: props.series.length > 1 },
      scales: { x: { time: true } },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } },
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, size: 50 },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.color + '55',
          width: 1,
          paths: props.bars ? uPlot.paths.bars!({ size: [0.9, 40] }) : undefined,
          points: { show: false },
        })),
      ],
      hooks: {
        setSelect: [
          (u: uPlot) => {
            if (!props.onZoom || u.select.width < 3) return;
            const a = u.posToVal(u.select.left, 'x');
            const b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            props.onZoom(Math.floor(a * 1000), Math.ceil(b * 1000));
          },
        ],
      },
    };
    plot.current = new uPlot(opts, data, node);
    const ro = new ResizeObserver(() => {
      const w = node.clientWidth;
      if (w > 0 && plot.current) plot.current.setSize({ width: w, height: props.height ?? 160 });
    });
    ro.observe(node);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [props.times, props.series, th]);
  return <div class="chart" ref={el} role="img" aria-label={props.label} />;
}

// bucketize turns table rows of a timechart (_time and a count column)
// into aligned series.
export function fromTimechart(rows: Record<string, any>[], countCol?: string): { times: number[]; values: number[] } {
  const pts = rows
    .map((r) => {
      const t = Date.parse(r._time);
      const col = countCol ?? Object.keys(r).find((k) => k !== '_time' && typeof r[k] === 'number') ?? 'count()';
      return [t, Number(r[col] ?? 0)] as [number, number];
    })
    .filter(([t]) => !Number.isNaN(t))
    .sort((a, b) => a[0] - b[0]);
  return { times: pts.map((p) => p[0]), values: pts.map((p) => p[1]) };
}

// fill puts counts into every bucket of [from, to) so that gaps read as zero.
export function fill(times: number[], values: number[], fromMs: number, toMs: number, stepMs: number) {
  const m = new Map<number, number>();
  times.forEach((t, i) => m.set(t, values[i]));
  const start = Math.floor(fromMs / stepMs) * stepMs;
  const ts: number[] = [];
  const vs: number[] = [];
  for (let t = start; t < toMs && ts.length < 2000; t += stepMs) {
    ts.push(t);
    vs.push(m.get(t) ?? 0);
  }
  return { times: ts, values: vs };
}
