/**
 * checkCanary's figures: each gate's observed value, 95% interval and limit on its own axis
 * (disagreement rate, prediction drift, latency ratio), and the interleaved latency rounds of
 * both models.
 */
import { evenlySpaced, figure, type CheckFigure, type FigureJson } from 'mltest/plugin'
import type { Interval } from './canary-stats.ts'

type Row = { [key: string]: FigureJson }
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json'
const round = (x: number) => Math.round(x * 1e6) / 1e6

export interface GateLine {
  gate: string
  observed: number
  interval: Interval
  limit: number
  verdict: 'pass' | 'fail' | 'inconclusive'
}

export function gatesFigure(lines: readonly GateLine[]): CheckFigure {
  const values = lines.map((l) => ({ gate: l.gate, observed: round(l.observed), low: round(l.interval.low), high: round(l.interval.high), limit: l.limit, verdict: l.verdict }))
  const x = { type: 'quantitative', title: 'observed (dot), 95% interval (bar), limit (black tick)', scale: { zero: true } }
  const spec: Row = {
    $schema: SCHEMA,
    data: { values },
    facet: { row: { field: 'gate', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 260 }, sort: null } },
    spec: {
      width: 360,
      height: 36,
      layer: [
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'low', ...x }, x2: { field: 'high' }, color: { field: 'verdict', type: 'nominal' } } },
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'observed', ...x }, color: { field: 'verdict', type: 'nominal', title: 'verdict', scale: { domain: ['pass', 'fail', 'inconclusive'], range: ['#2a9d4b', '#d62728', '#e69f00'] } } } },
        { mark: { type: 'tick', thickness: 3, color: 'black', orient: 'vertical' }, encoding: { x: { field: 'limit', ...x } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  }
  return figure('Canary: disagreement, prediction drift and latency ratio vs their limits', spec, 'Each gate on its own axis; disagreement by a Wilson interval, drift and latency ratio by a paired percentile bootstrap')
}

export function latencyFigure(currentMs: readonly number[], candidateMs: readonly number[]): CheckFigure {
  const rounds = currentMs.map((ms, round) => ({ round, current: ms, candidate: candidateMs[round]! }))
  const kept = evenlySpaced(rounds, 1000, 'rounds')
  const values = kept.values.flatMap((r) => [
    { round: r.round, model: 'current', ms: Math.max(1e-4, round(r.current)) },
    { round: r.round, model: 'candidate', ms: Math.max(1e-4, round(r.candidate)) },
  ])
  const spec: Row = {
    $schema: SCHEMA,
    width: 420,
    height: 200,
    data: { values },
    mark: { type: 'point', size: 14 },
    encoding: {
      x: { field: 'round', type: 'quantitative', title: 'interleaved round' },
      y: { field: 'ms', type: 'quantitative', title: 'latency of one request (ms, log scale)', scale: { type: 'log' } },
      color: { field: 'model', type: 'nominal', title: null },
    },
  }
  const text = 'One request per model per round, the order alternating round by round'
  return figure('Canary latency per request: current vs candidate', spec, kept.note ? `${text}; ${kept.note}` : text)
}
