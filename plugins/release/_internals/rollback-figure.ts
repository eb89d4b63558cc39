/** The rollback drill's timeline: one bar per step, from its start to its end, coloured by outcome. */
import { figure, type CheckFigure } from 'mltest/plugin'

export interface DrillStep {
  step: string
  status: 'ok' | 'failed' | 'skipped'
  startMs: number
  endMs: number
  detail: string
}

export function timelineFigure(steps: readonly DrillStep[], from: string, to: string): CheckFigure {
  const values = steps.map((s, order) => ({ step: s.step, order, status: s.status, start: round(s.startMs), end: round(Math.max(s.endMs, s.startMs)), ms: round(s.endMs - s.startMs), detail: s.detail }))
  return figure(
    `Rollback drill ${from} → ${to}: steps over time`,
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 480,
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'step', type: 'nominal', sort: { field: 'order' }, title: null },
        x: { field: 'start', type: 'quantitative', title: 'ms since the drill started' },
        x2: { field: 'end' },
        color: { field: 'status', type: 'nominal', scale: { domain: ['ok', 'failed', 'skipped'], range: ['#4c9a2a', '#d62728', '#bbbbbb'] } },
        tooltip: [{ field: 'step' }, { field: 'status' }, { field: 'ms', title: 'duration (ms)' }, { field: 'detail' }],
      },
    },
    'Skipped steps (after a failed load) are drawn at the time they would have started, with no length.',
  )
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
