import { BarChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef, type ReactNode } from 'react';

// Only what the page draws: bar charts as SVG (their labels are text in the page), with a legend.
echarts.use([
  BarChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  SVGRenderer,
]);
export type ChartOption = Parameters<ReturnType<typeof echarts.init>['setOption']>[0];

/**
 * One chart and its text alternative: the chart is an image named by `description` (or, with
 * `ariaFromChart`, by the description ECharts writes of it), and `table` gives the same figures
 * as a table under a disclosure.
 */
export function ChartFigure({
  title,
  option,
  description,
  ariaFromChart = false,
  table,
}: {
  title: string;
  option: ChartOption;
  description: string;
  ariaFromChart?: boolean;
  table: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'svg' });
    chart.setOption(ariaFromChart ? { ...option, aria: { enabled: true } } : option);
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option, ariaFromChart]);
  return (
    <figure className="metrics-chart">
      <figcaption>{title}</figcaption>
      <div
        ref={ref}
        className="chart"
        role="img"
        aria-label={ariaFromChart ? title : description}
        data-description={description}
      />
      <details>
        <summary>{title}: the figures as a table</summary>
        {table}
      </details>
    </figure>
  );
}

/** Every category's name on a category axis, wrapped rather than skipped when they are long. */
export const allLabels = (width: number) => ({
  interval: 0,
  width,
  overflow: 'break' as const,
  // Wrapped lines need a line height, or ECharts draws them over each other.
  lineHeight: 14,
  color: '#223',
});
