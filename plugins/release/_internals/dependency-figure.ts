/** Dependency changes by kind, one bar per kind split by source (package or tracked file). */
import { figure, type CheckFigure } from 'mltest/plugin'
import { CHANGE_KINDS, type DependencyChange } from './dependency-diff.ts'

export function changesFigure(changes: readonly DependencyChange[]): CheckFigure {
  const values = CHANGE_KINDS.flatMap((kind) =>
    (['package', 'file'] as const).map((source) => {
      const of = changes.filter((c) => c.kind === kind && c.source === source)
      return { kind, source, count: of.length, names: of.slice(0, 8).map((c) => c.name).join(', ') + (of.length > 8 ? `, and ${of.length - 8} more` : '') }
    }),
  ).filter((row) => row.count > 0)
  return figure('Dependency changes since the baseline, by kind', {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 420,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'kind', type: 'nominal', sort: [...CHANGE_KINDS], title: null },
      x: { field: 'count', type: 'quantitative', title: 'changes', axis: { tickMinStep: 1 } },
      color: { field: 'source', type: 'nominal', title: 'source' },
      tooltip: [{ field: 'kind' }, { field: 'source' }, { field: 'count' }, { field: 'names', title: 'first names' }],
    },
  })
}
