/**
 * Measured at training so that /v1/assign's confidence means something: per-persona feature spreads
 * (for the next-question suggestion) and the confidence calibration.
 *
 * Calibration: a seeded sample of customers is split in two. Each customer keeps a random subset of
 * their features (size uniform from 1 to all, as sign-up forms give anything from one answer to a full
 * record) and is placed exactly as /v1/assign places a partial customer; the truth is the persona they
 * have with every feature. The first half fits the softmax temperature of hard clusterings (temperature
 * scaling, src/engine/confidence.ts); the second half, held out from that fit, measures the expected
 * calibration error. Mixtures keep their posterior (no temperature) and are measured the same way.
 */
import type { ConfidenceCalibration, FeatureSchema, ModelArtifacts } from '../domain/model.ts';
import { createRandom, expectedCalibrationError, fitTemperature } from '../engine/index.ts';
import type { Random } from '../engine/index.ts';
import type { CompiledFeature, ScoringModel } from './compiled-model.ts';
import type { EncodedRows } from './features.ts';
import { emptyCustomer, nearestPersona, personaCosts, personaProbabilities, setCategory, setNumeric } from './persona-scoring.ts';
import type { EncodedCustomer } from './persona-scoring.ts';

/** Customers in the calibration sample (half fit the temperature, half measure the error). */
export const CALIBRATION_SAMPLE_SIZE = 4_000;
const CALIBRATION_BINS = 10;

/** Per persona, the members' standard deviation of each numeric feature and share of each category (scaled space). */
export function measurePersonaSpread(schema: FeatureSchema, encoded: EncodedRows, labels: Int32Array, k: number): NonNullable<ModelArtifacts['personaSpread']> {
  const { dense } = encoded;
  const counts = new Float64Array(k);
  for (const label of labels) counts[label]!++;
  const numericSd: number[][] = Array.from({ length: k }, () => []);
  const categoryShares: number[][][] = Array.from({ length: k }, () => []);
  for (const feature of schema.features) {
    if (feature.kind === 'numeric') {
      const sums = new Float64Array(k);
      const squares = new Float64Array(k);
      for (let i = 0; i < dense.rows; i++) {
        const value = dense.data[i * dense.cols + feature.column]!;
        sums[labels[i]!]! += value;
        squares[labels[i]!]! += value * value;
      }
      for (let c = 0; c < k; c++) {
        const mean = counts[c]! > 0 ? sums[c]! / counts[c]! : 0;
        const variance = counts[c]! > 0 ? Math.max(0, squares[c]! / counts[c]! - mean * mean) : 1;
        numericSd[c]!.push(Math.sqrt(variance));
      }
    } else {
      const width = feature.categories.length;
      const tallies = new Float64Array(k * width);
      for (let i = 0; i < dense.rows; i++) tallies[labels[i]! * width + categoryOfRow(encoded, i, feature.column, width)]!++;
      for (let c = 0; c < k; c++) {
        categoryShares[c]!.push(Array.from(tallies.subarray(c * width, (c + 1) * width), (tally) => (counts[c]! > 0 ? tally / counts[c]! : 1 / width)));
      }
    }
  }
  return { numericSd, categoryShares };
}

/** The active cell of a one-hot block (imputed rows carry the mode's). */
function categoryOfRow(encoded: EncodedRows, row: number, column: number, width: number): number {
  const offset = row * encoded.dense.cols + column;
  let best = 0;
  for (let j = 1; j < width; j++) if (encoded.dense.data[offset + j]! > encoded.dense.data[offset + best]!) best = j;
  return best;
}

/**
 * The temperature (null for mixtures) and the measured calibration.
 * @param model - the fitted model's scoring half (its temperature is ignored).
 */
export function calibrateConfidence(model: ScoringModel, encoded: EncodedRows, labels: Int32Array, seed: number): { temperature: number | null; calibration: ConfidenceCalibration } {
  const random = createRandom(seed);
  const n = encoded.dense.rows;
  // In random order, so the halves do not follow the row order (datasets are often sorted).
  const rows = random.sampleIndices(n, Math.min(n, CALIBRATION_SAMPLE_SIZE));
  const half = Math.max(1, Math.floor(rows.length / 2));
  const k = model.k;
  const costs = new Float64Array(rows.length * k);
  const featuresGiven = new Int32Array(rows.length);
  rows.forEach((row, at) => {
    const customer = partialCustomer(model, encoded, row, random);
    featuresGiven[at] = customer.given;
    personaCosts(model, customer.encoded, costs.subarray(at * k, (at + 1) * k));
  });
  const truth = Int32Array.from(rows, (row) => labels[row]!);
  const temperature = model.mixture ? null : fitTemperature({ data: costs.subarray(0, half * k), rows: half, cols: k }, truth.subarray(0, half)).temperature;
  const calibrated: ScoringModel = { ...model, temperature: temperature ?? 1 };

  const heldOut = rows.length - half;
  const confidences = new Float64Array(heldOut);
  const isCorrect = new Uint8Array(heldOut);
  const byFeatures = new Map<number, { rows: number; correct: number; confidence: number }>();
  for (let at = half; at < rows.length; at++) {
    const rowCosts = costs.subarray(at * k, (at + 1) * k);
    const chosen = nearestPersona(rowCosts);
    const confidence = personaProbabilities(calibrated, rowCosts)[chosen]!;
    const correct = chosen === truth[at] ? 1 : 0;
    confidences[at - half] = confidence;
    isCorrect[at - half] = correct;
    const group = byFeatures.get(featuresGiven[at]!) ?? { rows: 0, correct: 0, confidence: 0 };
    group.rows++;
    group.correct += correct;
    group.confidence += confidence;
    byFeatures.set(featuresGiven[at]!, group);
  }
  const { error } = expectedCalibrationError(confidences, isCorrect, CALIBRATION_BINS);
  return {
    temperature,
    calibration: {
      method: model.mixture ? 'posterior' : 'temperature',
      temperature,
      calibrationRows: half,
      heldOutRows: heldOut,
      expectedCalibrationError: error,
      accuracy: mean(isCorrect),
      meanConfidence: mean(confidences),
      byFeaturesGiven: [...byFeatures.entries()]
        .sort(([a], [b]) => a - b)
        .map(([features, group]) => ({ features, rows: group.rows, accuracy: group.correct / group.rows, meanConfidence: group.confidence / group.rows })),
    },
  };
}

/** Row `row` with a random subset of its features, of a size uniform in 1…all. */
function partialCustomer(model: ScoringModel, encoded: EncodedRows, row: number, random: Random): { encoded: EncodedCustomer; given: number } {
  const order = Int32Array.from(model.features, (_feature, index) => index);
  random.shuffle(order);
  const given = 1 + random.nextInt(model.features.length);
  const customer = emptyCustomer(model);
  for (let at = 0; at < given; at++) giveFeature(model, encoded, row, model.features[order[at]!]!, customer);
  return { encoded: customer, given };
}

function giveFeature(model: ScoringModel, encoded: EncodedRows, row: number, feature: CompiledFeature, customer: EncodedCustomer): void {
  const isPrototypes = model.algorithm === 'kprototypes';
  if (feature.kind === 'numeric') {
    const value = isPrototypes ? encoded.numeric.data[row * encoded.numeric.cols + feature.slot]! : encoded.dense.data[row * encoded.dense.cols + feature.column]!;
    setNumeric(model, customer, feature, value);
  } else {
    const code = isPrototypes ? encoded.codes.data[row * encoded.codes.cols + feature.slot]! : categoryOfRow(encoded, row, feature.column, feature.width);
    setCategory(model, customer, feature, code);
  }
}

function mean(values: Float64Array | Uint8Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length === 0 ? 0 : sum / values.length;
}
