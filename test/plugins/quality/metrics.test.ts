/**
 * mltest/quality's metrics against values computed independently: the examples of
 * scikit-learn's documentation (each cited with its page; stable API docs, version 1.5-1.7)
 * and hand-worked cases whose derivation is written beside them. Compared to 1e-9 relative.
 */
import t from 'tap'
import { createRng } from '../../../core/plugin.ts'
import {
  accuracy, balancedAccuracy, brierScore, confusionMatrix, f1, logLoss, mae, METRICS, perClassScores, precision, r2, recall, resolveMetric, rmse, rocAuc,
} from '../../../plugins/quality/metrics.ts'
import { bootstrapMetric, bootstrapSeed, pairedBootstrap, quantileSorted } from '../../../plugins/quality/_internals/bootstrap.ts'

const SK = 'https://scikit-learn.org/stable/modules/generated/sklearn.metrics.'

function close(tt: { ok(value: boolean, message: string): unknown }, actual: number, expected: number, what: string): void {
  const scale = Math.max(Math.abs(expected), 1e-300)
  tt.ok(Math.abs(actual - expected) <= 1e-9 * scale || (expected === 0 && actual === 0), `${what}: ${actual} vs ${expected}`)
}

t.test('accuracy and balanced accuracy (scikit-learn doc examples)', async (tt) => {
  // accuracy_score.html: y_pred = [0, 2, 1, 3], y_true = [0, 1, 2, 3] -> 0.5
  close(tt, accuracy([0, 1, 2, 3], [0, 2, 1, 3]), 0.5, `${SK}accuracy_score.html`)
  // balanced_accuracy_score.html: y_true = [0, 1, 0, 0, 1, 0], y_pred = [0, 1, 0, 0, 0, 1] -> 0.625
  // (recall of class 0 = 3/4, of class 1 = 1/2, mean 0.625)
  close(tt, balancedAccuracy([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1]), 0.625, `${SK}balanced_accuracy_score.html`)
  // Hand-worked: class 2 is only predicted, never true: left out (scikit-learn warns and takes the nanmean):
  // recall(0) = 1/2, recall(1) = 1 -> 0.75
  close(tt, balancedAccuracy([0, 0, 1], [0, 2, 1]), 0.75, 'balanced accuracy ignores predicted-only classes')
  close(tt, accuracy(['a', 'b'], ['a', 'a']), 0.5, 'string labels')
})

t.test('precision, recall, F1: averages and zero division (scikit-learn doc examples)', async (tt) => {
  const yTrue = [0, 1, 2, 0, 1, 2]
  const yPred = [0, 2, 1, 0, 0, 1]
  // precision_score.html: macro 0.22..., micro 0.33..., weighted 0.22..., None [0.667, 0, 0]
  // (class 0: predicted at rows 0, 3, 4, right at 0 and 3 -> 2/3; classes 1 and 2 never right)
  close(tt, precision(yTrue, yPred, { average: 'macro' }), 2 / 9, `${SK}precision_score.html macro`)
  close(tt, precision(yTrue, yPred, { average: 'micro' }), 1 / 3, 'precision micro')
  close(tt, precision(yTrue, yPred, { average: 'weighted' }), 2 / 9, 'precision weighted')
  tt.same(perClassScores(yTrue, yPred).precision.map((v) => +v.toFixed(12)), [+(2 / 3).toFixed(12), 0, 0], 'precision per class')
  // recall_score.html: macro 0.33..., micro 0.33..., weighted 0.33..., None [1, 0, 0]
  close(tt, recall(yTrue, yPred, { average: 'macro' }), 1 / 3, `${SK}recall_score.html macro`)
  close(tt, recall(yTrue, yPred, { average: 'micro' }), 1 / 3, 'recall micro')
  close(tt, recall(yTrue, yPred, { average: 'weighted' }), 1 / 3, 'recall weighted')
  tt.same(perClassScores(yTrue, yPred).recall, [1, 0, 0], 'recall per class')
  // f1_score.html: macro 0.267, micro 0.33, weighted 0.267, None [0.8, 0, 0] (class 0: 2*2/(2+3) = 0.8)
  close(tt, f1(yTrue, yPred, { average: 'macro' }), 0.8 / 3, `${SK}f1_score.html macro`)
  close(tt, f1(yTrue, yPred, { average: 'micro' }), 1 / 3, 'f1 micro')
  close(tt, f1(yTrue, yPred, { average: 'weighted' }), 0.8 / 3, 'f1 weighted')
  tt.same(perClassScores(yTrue, yPred).f1.map((v) => +v.toFixed(12)), [0.8, 0, 0], 'f1 per class')

  // precision_score.html: y_pred = [0]*6 -> None [0.333, 0, 0]; zero_division=1 -> [0.333, 1, 1]; nan -> [0.333, nan, nan]
  const zeros = [0, 0, 0, 0, 0, 0]
  tt.same(perClassScores(yTrue, zeros).precision.slice(1), [0, 0], 'zero division default (warn) is 0')
  tt.same(perClassScores(yTrue, zeros, { zeroDivision: 1 }).precision.slice(1), [1, 1], 'zeroDivision 1')
  tt.ok(perClassScores(yTrue, zeros, { zeroDivision: Number.NaN }).precision.slice(1).every(Number.isNaN), 'zeroDivision NaN')
  close(tt, perClassScores(yTrue, zeros).precision[0]!, 1 / 3, 'class 0 precision 2/6')
  // Hand-worked: macro with zeroDivision NaN skips the NaN classes (nanaverage): precision = 1/3
  close(tt, precision(yTrue, zeros, { average: 'macro', zeroDivision: Number.NaN }), 1 / 3, 'macro skips NaN classes')
  close(tt, precision(yTrue, zeros, { average: 'macro', zeroDivision: 1 }), (1 / 3 + 2) / 3, 'macro with zeroDivision 1')

  // f1_score.html: y_true = y_pred = [0]*6 -> binary f1 0.0 (warn), 1.0 with zero_division=1, nan with np.nan
  tt.equal(f1(zeros, zeros), 0, 'f1 all-negative, warn -> 0')
  tt.equal(f1(zeros, zeros, { zeroDivision: 1 }), 1, 'f1 all-negative, zeroDivision 1')
  tt.ok(Number.isNaN(f1(zeros, zeros, { zeroDivision: Number.NaN })), 'f1 all-negative, zeroDivision NaN')

  // Hand-worked binary: y_true [1,1,0,0,1], y_pred [1,0,1,0,1]: tp 2, fp 1, fn 1 -> P = R = F1 = 2/3
  close(tt, precision([1, 1, 0, 0, 1], [1, 0, 1, 0, 1]), 2 / 3, 'binary precision')
  close(tt, recall([1, 1, 0, 0, 1], [1, 0, 1, 0, 1]), 2 / 3, 'binary recall')
  close(tt, f1([1, 1, 0, 0, 1], [1, 0, 1, 0, 1]), 2 / 3, 'binary f1')
  // posLabel 0: tp 1 (row 3), fp 1 (row 1), fn 1 (row 2) -> 1/2
  close(tt, precision([1, 1, 0, 0, 1], [1, 0, 1, 0, 1], { posLabel: 0 }), 0.5, 'binary precision, posLabel 0')
  close(tt, f1([true, false, true], [true, true, true]), 0.8, 'booleans: positive is true; 2*2/(2*2+1) = 0.8')
  close(tt, f1(['spam', 'ham', 'spam'], ['spam', 'spam', 'spam'], { posLabel: 'spam' }), 0.8, 'strings with posLabel')
  // Hand-worked weighted F1 with unequal supports: y_true [0,0,0,1], y_pred [0,0,1,1]
  // class 0: tp 2, fp 0, fn 1 -> F1 = 4/5; class 1: tp 1, fp 1, fn 0 -> F1 = 2/3; weighted (3*0.8 + 1*2/3)/4
  close(tt, f1([0, 0, 0, 1], [0, 0, 1, 1], { average: 'weighted' }), (3 * 0.8 + 2 / 3) / 4, 'weighted by support')

  tt.throws(() => f1(yTrue, yPred), /3 classes but average is 'binary'/, 'multiclass with binary average')
  tt.throws(() => f1(['a', 'b'], ['a', 'a']), /pass posLabel/, 'strings need posLabel')
  tt.throws(() => f1([0, 2], [2, 0]), /posLabel 1 is not a label/, 'missing positive label')
})

t.test('confusion matrix (scikit-learn doc examples)', async (tt) => {
  // confusion_matrix.html
  tt.same(confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]), { labels: [0, 1, 2], matrix: [[2, 0, 0], [0, 0, 1], [1, 0, 2]] }, `${SK}confusion_matrix.html`)
  tt.same(confusionMatrix(['cat', 'ant', 'cat', 'cat', 'ant', 'bird'], ['ant', 'ant', 'cat', 'cat', 'ant', 'cat'], { labels: ['ant', 'bird', 'cat'] }).matrix, [[2, 0, 0], [0, 0, 1], [1, 0, 2]], 'string labels')
  // tn, fp, fn, tp = confusion_matrix([0, 1, 0, 1], [1, 1, 1, 0]).ravel() -> (0, 2, 1, 1)
  tt.same(confusionMatrix([0, 1, 0, 1], [1, 1, 1, 0]).matrix.flat(), [0, 2, 1, 1], 'binary ravel')
})

t.test('ROC AUC with ties and one class', async (tt) => {
  // roc_curve.html: y = [1, 1, 2, 2], scores = [0.1, 0.4, 0.35, 0.8], pos_label=2; auc(fpr, tpr) = 0.75
  close(tt, rocAuc([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8]), 0.75, `${SK}roc_curve.html`)
  // Hand-worked ties: positives score 0.5 and 0.8, negatives 0.5 and 0.2. Pairs (pos, neg):
  // (0.5, 0.5) tie = 1/2, (0.5, 0.2) = 1, (0.8, 0.5) = 1, (0.8, 0.2) = 1 -> 3.5 / 4
  close(tt, rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.8]), 0.875, 'ties count one half')
  // All scores tied: every pair is a tie -> 0.5
  close(tt, rocAuc([0, 1, 1, 0, 1], [3, 3, 3, 3, 3]), 0.5, 'all tied')
  close(tt, rocAuc(['no', 'yes', 'no'], [0.9, 0.1, 0.5], { posLabel: 'no' }), 1, 'string labels with posLabel')
  tt.throws(() => rocAuc([1, 1, 1], [0.2, 0.4, 0.9]), /only one class is present in yTrue; ROC AUC is not defined/, 'one class (scikit-learn raises too)')
  tt.throws(() => rocAuc([0, 1, 2], [0.2, 0.4, 0.9]), /binary only: pass posLabel/, 'three classes')
})

t.test('log loss and Brier score', async (tt) => {
  // log_loss.html: log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) -> 0.21616...
  // columns are the sorted labels ham, spam; the true-class probabilities are .9, .9, .8, .65
  const expected = -(Math.log(0.9) + Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4
  close(tt, logLoss(['spam', 'ham', 'ham', 'spam'], [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]), expected, `${SK}log_loss.html`)
  tt.equal(+expected.toFixed(5), 0.21616, 'the documented 0.21616')
  // The same as 1-D probabilities of the larger label ("spam")
  close(tt, logLoss(['spam', 'ham', 'ham', 'spam'], [0.9, 0.1, 0.2, 0.65]), expected, '1-D binary form')
  // eps clipping: a confident wrong probability 0 costs -log(eps) = 36.04365338911715, not Infinity
  close(tt, logLoss([1, 0], [0, 0]), -Math.log(2.220446049250313e-16) / 2, 'clipped at float64 eps')
  tt.throws(() => logLoss([1, 1], [0.5, 0.7]), /contains only one label \(1\); pass every class/, 'one label needs labels')
  close(tt, logLoss([1, 1], [0.5, 0.5], { labels: [0, 1] }), Math.log(2), 'one label with labels given')
  tt.throws(() => logLoss([0, 1], [[2, 3], [0.5, 0.5]]), /sums to 5, not 1; pass probabilities/, 'logits refused')
  tt.throws(() => logLoss([0, 1, 0], [-3, 4, 0.2]), /logLoss: yProb\[0\] is -3, not a probability in \[0, 1\]/, '1-D logits refused too (they used to score 0.074)')

  // brier_score_loss.html: y_true = [0, 1, 1, 0], y_prob = [0.1, 0.9, 0.8, 0.3] -> 0.0375
  // ((0.1)^2 + (0.1)^2 + (0.2)^2 + (0.3)^2) / 4 = 0.15 / 4
  close(tt, brierScore([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 0.0375, `${SK}brier_score_loss.html`)
  close(tt, brierScore(['spam', 'ham', 'ham', 'spam'], [0.1, 0.9, 0.8, 0.3], { posLabel: 'ham' }), 0.0375, 'categorical with pos_label "ham"')
  tt.equal(brierScore([0, 1, 1, 0], [0, 1, 1, 0]), 0, 'perfect probabilities (the doc\'s y_prob > 0.5 case)')
  tt.throws(() => brierScore([0, 1], [0.5, 1.5]), /yProb\[1\] is 1.5, outside \[0, 1\]/, 'probability out of range')
})

t.test('regression: RMSE, MAE, R² with scikit-learn\'s edge cases', async (tt) => {
  const yTrue = [3, -0.5, 2, 7]
  const yPred = [2.5, 0.0, 2, 8]
  // mean_absolute_error.html -> 0.5 ; root_mean_squared_error.html -> 0.612... = sqrt((0.25+0.25+0+1)/4)
  close(tt, mae(yTrue, yPred), 0.5, `${SK}mean_absolute_error.html`)
  close(tt, rmse(yTrue, yPred), Math.sqrt(0.375), `${SK}root_mean_squared_error.html`)
  // r2_score.html -> 0.948...: SS_res = 1.5; mean 2.875, SS_tot = 29.1875; 1 - 1.5/29.1875
  close(tt, r2(yTrue, yPred), 1 - 1.5 / 29.1875, `${SK}r2_score.html`)
  // r2_score.html: [1,2,3] vs [1,2,3] -> 1.0; vs [2,2,2] -> 0.0; vs [3,2,1] -> -3.0
  tt.equal(r2([1, 2, 3], [1, 2, 3]), 1)
  tt.equal(r2([1, 2, 3], [2, 2, 2]), 0)
  close(tt, r2([1, 2, 3], [3, 2, 1]), -3, 'r2 -3')
  // r2_score.html constant y_true: [-2,-2,-2] perfect -> 1.0; [-2,-2,-2+1e-8] -> 0.0 (force_finite)
  tt.equal(r2([-2, -2, -2], [-2, -2, -2]), 1, 'constant y_true, perfect')
  tt.equal(r2([-2, -2, -2], [-2, -2, -2 + 1e-8]), 0, 'constant y_true, imperfect')
  tt.throws(() => r2([1], [1]), /fewer than two rows/, 'one row')
})

t.test('inputs that cannot be judged are errors naming the field', async (tt) => {
  tt.throws(() => accuracy([0, 1, 1], [0, 1]), { message: 'accuracy: yTrue has 3 values but yPred has 2; pass one yPred per yTrue' })
  tt.throws(() => rmse([], []), { message: 'rmse: yTrue is empty; a metric needs at least one value' })
  tt.throws(() => mae([1, Number.NaN], [1, 2]), /mae: yTrue\[1\] is NaN; every value must be a finite number/)
  tt.throws(() => rocAuc([0, 1], [0.1, Number.NaN]), /rocAuc: yScore\[1\] is NaN/)
  tt.throws(() => f1([0, Number.NaN], [0, 1]), /f1: yTrue\[1\] is NaN; labels must be/)
  tt.throws(() => accuracy([0, 'a'], [0, 1]), /yTrue mixes label types \(number and string at index 1\)/)
  tt.throws(() => accuracy([0, 1], ['0', '1']), /yPred holds string labels but the other input number labels/)
  tt.throws(() => logLoss([0, 1], [0.2]), /yTrue has 2 values but yProb has 1/)
  tt.throws(() => resolveMetric('checkSlices', 'acuracy' as never), /unknown metric "acuracy"; use one of accuracy/)
})

t.test('the metric table checks use', async (tt) => {
  close(tt, METRICS.f1Macro.compute([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]), 0.8 / 3, 'f1Macro')
  tt.equal(METRICS.logLoss.higherIsBetter, false)
  tt.equal(METRICS.rocAuc.input, 'scores')
})

t.test('bootstrap helper: numpy quantiles, seeded, paired', async (tt) => {
  // np.quantile([1, 2, 3, 4], 0.25) = 1.75 ; np.quantile(np.arange(1, 11), 0.975) = 9.775 (linear, numpy's default)
  tt.equal(quantileSorted([1, 2, 3, 4], 0.25), 1.75)
  close(tt, quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.975), 9.775, 'type-7 quantile')
  const hits = Array.from({ length: 400 }, (_, i) => i % 2)
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const a = bootstrapMetric(hits, hits, (y) => mean(y), { seed: 7 })
  const b = bootstrapMetric(hits, hits, (y) => mean(y), { seed: 7 })
  tt.same(a, b, 'same seed, same interval')
  // The mean of 400 fair coin flips has standard error 0.5/sqrt(400) = 0.025: the 95% interval is about 0.5 ± 0.049
  tt.equal(a.estimate, 0.5)
  tt.ok(Math.abs(a.lower - (0.5 - 1.96 * 0.025)) < 0.01 && Math.abs(a.upper - (0.5 + 1.96 * 0.025)) < 0.01, `normal-theory width: [${a.lower}, ${a.upper}]`)
  tt.equal(a.valid, 2000)
  const c = bootstrapMetric(hits, hits, (y) => mean(y), { seed: 8 })
  tt.not(c.lower === a.lower && c.upper === a.upper, true, 'another seed draws other resamples')
  tt.equal(bootstrapSeed('x', 5), 5, 'a given seed wins')

  // Paired: A is right on every row, B on the even rows only: gain 0.5, and identical predictions have a zero-width interval
  const yTrue = Array.from({ length: 200 }, (_, i) => i % 3 === 0 ? 1 : 0)
  const predB = yTrue.map((v, i) => (i % 2 === 0 ? v : 1 - v))
  const paired = pairedBootstrap(yTrue, yTrue, predB, accuracy, { seed: 3, resamples: 500 })
  tt.equal(paired.estimate, 0.5)
  tt.equal(paired.metricA, 1)
  tt.equal(paired.metricB, 0.5)
  tt.ok(paired.lower > 0.4 && paired.upper < 0.6, `paired interval [${paired.lower}, ${paired.upper}]`)
  const same = pairedBootstrap(yTrue, predB, predB, accuracy, { seed: 3, resamples: 200 })
  tt.same([same.lower, same.upper], [0, 0], 'same predictions: zero difference on every resample')
  // Undefined statistics (one class in a resample of a tiny slice) are left out and counted
  const tiny = bootstrapMetric([0, 1, 0], [0.2, 0.8, 0.3], (y, s) => rocAuc(y, s), { seed: 1, resamples: 300 })
  tt.ok(tiny.valid < 300 && tiny.valid > 0, `valid resamples ${tiny.valid} of 300`)
})

t.test('label metrics from a confusion matrix equal the metrics from the arrays (the bootstrap counts pairs)', async (tt) => {
  const rng = createRng(11)
  let compared = 0
  for (let trial = 0; trial < 200; trial++) {
    const n = rng.int(1, 30)
    const classes = rng.int(1, 4)
    const yTrue = Array.from({ length: n }, () => rng.int(0, classes - 1))
    const yPred = Array.from({ length: n }, () => rng.int(0, classes))
    // The matrix over a superset of the labels, as a resample of a larger slice has it: absent labels are all-zero rows and columns
    const labels = [0, 1, 2, 3, 4]
    const matrix = labels.map((a) => labels.map((b) => yTrue.filter((v, i) => v === a && yPred[i] === b).length))
    for (const metric of Object.values(METRICS)) {
      if (!('fromConfusion' in metric)) continue
      const viaArrays = (() => { try { return metric.compute(yTrue, yPred) } catch (error) { return (error as Error).message } })()
      const viaMatrix = (() => { try { return metric.fromConfusion!(labels, matrix) } catch (error) { return (error as Error).message } })()
      if (typeof viaArrays === 'number' && typeof viaMatrix === 'number' && Math.abs(viaArrays - viaMatrix) <= 1e-12) compared++
      else if (!Object.is(viaArrays, viaMatrix)) tt.fail(`${metric.name} on ${JSON.stringify([yTrue, yPred])}: ${viaArrays} vs ${viaMatrix}`)
      else compared++
    }
  }
  tt.ok(compared >= 200 * 14, `${compared} comparisons agree`)
})
