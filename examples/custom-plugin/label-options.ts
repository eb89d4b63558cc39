/** The `labels` plugin's options, declared once: core turns them into `--labels-alpha` etc. */
import { z } from 'mltest/plugin'

export const labelOptions = z.object({
  alpha: z.number().gt(0).lt(1).default(0.01).describe('significance level of checkLabelDistribution, unless the call sets alpha'),
  minExpectedCount: z.number().int().min(1).default(5).describe('smallest expected class count for a decided verdict; below it the verdict is inconclusive'),
})
