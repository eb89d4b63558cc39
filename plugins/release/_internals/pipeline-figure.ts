/** pipelineTest's figure: each stage's duration, in order, coloured by whether it passed, failed or did not run. */
import { figure, type CheckFigure } from 'mltest/plugin'

export interface StageBar {
  stage: string
  order: number
  ms: number
  status: 'passed' | 'failed' | 'not run'
}

export function stageDurationsFigure(bars: readonly StageBar[]): CheckFigure {
  const values = bars.map((b) => ({ stage: `${b.order}. ${b.stage}`, ms: Math.round(b.ms * 1000) / 1000, status: b.status }))
  return figure('Pipeline stage durations', {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 420,
    height: { step: 22 },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'stage', type: 'nominal', sort: null, title: null },
      x: { field: 'ms', type: 'quantitative', title: 'duration (ms)' },
      color: { field: 'status', type: 'nominal', title: null, scale: { domain: ['passed', 'failed', 'not run'], range: ['#2a9d4b', '#d62728', '#bbbbbb'] } },
      tooltip: [{ field: 'stage' }, { field: 'ms', title: 'ms' }, { field: 'status' }],
    },
  }, 'Wall-clock time of each stage in one run; stages after a failure did not run (0 ms)')
}
