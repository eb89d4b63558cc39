#!/usr/bin/env node
/**
 * What checkCanary and pipelineTest cost. checkCanary on two real ONNX classifiers (softmax of
 * x·W + b, built with onnx-proto: 4 → 3 like the penguins example, and 64 → 10) replaying
 * 1,000 and 10,000 recorded requests, with the latency gate off (contract + replay + drift
 * bootstrap) and on (200 interleaved rounds); pipelineTest's own cost per stage with stages
 * that do nothing. Medians and ranges of --repeats runs, with the machine.
 *
 *   node bench/canary-overhead.mjs [--repeats 7]
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import { register } from 'tsx/esm/api'

register()
const { values } = parseArgs({ options: { repeats: { type: 'string', default: '7' } } })
const repeats = Number(values.repeats)
const { checkCanary, pipelineTest } = await import('../plugins/release/index.ts')
const { onnx } = (await import('onnx-proto')).default

function classifier(inputs, classes) {
  const info = (name, width) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } } })
  const weights = Array.from({ length: inputs * classes }, (_, i) => Math.sin(i * 12.9898) * 0.7)
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'bench',
      node: [
        { opType: 'MatMul', input: ['x', 'W'], output: ['z0'] },
        { opType: 'Add', input: ['z0', 'b'], output: ['z'] },
        { opType: 'Softmax', input: ['z'], output: ['probs'], attribute: [{ name: 'axis', type: 2, i: -1 }] },
      ],
      initializer: [{ name: 'W', dims: [inputs, classes], dataType: 1, floatData: weights }, { name: 'b', dims: [classes], dataType: 1, floatData: Array(classes).fill(0) }],
      input: [info('x', inputs)],
      output: [info('probs', classes)],
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
async function time(label, fn) {
  const ms = []
  for (let i = 0; i < repeats; i++) {
    const start = performance.now()
    await fn()
    ms.push(performance.now() - start)
  }
  console.log(`${label.padEnd(58)} median ${median(ms).toFixed(1).padStart(8)} ms  (range ${Math.min(...ms).toFixed(1)}-${Math.max(...ms).toFixed(1)})`)
}

console.log(`node ${process.version}, ${os.cpus()[0]?.model.trim()} x ${os.availableParallelism()}, ${os.platform()} ${os.arch()}; ${repeats} repeats each`)
for (const [inputs, classes] of [[4, 3], [64, 10]]) {
  const model = classifier(inputs, classes)
  for (const n of [1_000, 10_000]) {
    const traffic = Array.from({ length: n }, (_, r) => Array.from({ length: inputs }, (_, j) => Math.sin(r * 7 + j)))
    await time(`checkCanary ${inputs}→${classes}, ${n.toLocaleString('en-US')} requests, latency gate off`, () => checkCanary({ current: model, candidate: model, traffic, latencyRounds: 0, seed: 1 }))
    await time(`checkCanary ${inputs}→${classes}, ${n.toLocaleString('en-US')} requests, 200 latency rounds`, () => checkCanary({ current: model, candidate: model, traffic, seed: 1, maxLatencyRatio: 10 }))
  }
}
const stages = Array.from({ length: 100 }, (_, i) => ({ name: `stage${i}`, run: (x) => x }))
await time('pipelineTest, 100 stages that return their input', () => pipelineTest(stages, { input: 1 }))
