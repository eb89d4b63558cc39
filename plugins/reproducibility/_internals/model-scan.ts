/**
 * Finds randomness a tfjs model will draw from `Math.random` by reading its layer configs:
 * initializers without a seed and noise layers (dropout and friends) without a seed. These
 * are the usual reasons two runs of the same training code start or train differently.
 */
import type { LayersModel } from '@tensorflow/tfjs'

/** Noise layers that take a `seed` in their config. */
const NOISE_LAYERS = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise'])

/** Initializers whose normal sampler treats seed 0 as "no seed" (tfjs's MPRandGauss). */
function samplesNormal(className: string, config: Record<string, unknown>): boolean {
  if (['RandomNormal', 'TruncatedNormal', 'Orthogonal'].includes(className)) return true
  return className === 'VarianceScaling' && config.distribution !== 'uniform'
}

export interface ModelScan {
  /** e.g. `dense_Dense1.kernelInitializer (VarianceScaling) has no seed` */
  unseededInitializers: string[]
  /** e.g. `dropout_Dropout1 (Dropout) has no seed` */
  unseededNoiseLayers: string[]
}

interface LayerLike {
  name: string
  getClassName(): string
  getConfig(): Record<string, unknown>
  layers?: LayerLike[]
}

function scanLayer(layer: LayerLike, scan: ModelScan): void {
  if (Array.isArray(layer.layers)) {
    for (const inner of layer.layers) scanLayer(inner, scan)
    return
  }
  let config: Record<string, unknown>
  try {
    config = layer.getConfig()
  } catch {
    return // custom layers without getConfig cannot be inspected; Math.random counting still sees them
  }
  const className = layer.getClassName()
  if (NOISE_LAYERS.has(className) && config.seed == null) scan.unseededNoiseLayers.push(`${layer.name} (${className}) has no seed`)
  for (const [key, value] of Object.entries(config)) {
    if (!key.endsWith('Initializer') || typeof value !== 'object' || value === null) continue
    const init = value as { className?: string; config?: Record<string, unknown> }
    if (!init.className || !init.config || !('seed' in init.config)) continue
    const seed = init.config.seed
    if (seed == null) scan.unseededInitializers.push(`${layer.name}.${key} (${init.className}) has no seed`)
    else if (seed === 0 && samplesNormal(init.className, init.config)) {
      scan.unseededInitializers.push(`${layer.name}.${key} (${init.className}) has seed 0, which tfjs treats as no seed for normal samplers`)
    }
  }
}

export function scanModel(model: LayersModel): ModelScan {
  const scan: ModelScan = { unseededInitializers: [], unseededNoiseLayers: [] }
  for (const layer of model.layers as unknown as LayerLike[]) scanLayer(layer, scan)
  return scan
}
