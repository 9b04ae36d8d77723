/**
 * A Chart.js chart in a canvas. Only the parts used are registered (bar and line charts on a
 * category axis), which keeps the bundle small. Chart.js sizes the canvas through the CSSOM,
 * which the CSP's style-src 'self' allows (it forbids only inline style attributes and tags).
 */
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
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

export function ChartCanvas(props: { config: ChartConfiguration; label: string; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, props.config);
    return () => chart.destroy();
  }, [props.config]);
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={props.label} data-testid={props.testId} />
    </div>
  );
}
