/**
 * The engine's whole public surface. Nothing else under src/engine is imported from outside it.
 *
 * Pure numeric code on typed arrays: no I/O, no clock, no global randomness (randomness comes from a
 * seeded `Random` or a `seed` option), no logging (degraded results come back as `warnings`).
 * Invalid input is rejected at these entry points with EngineInputError.
 */
export { EngineInputError } from './errors.ts';
export type { EngineErrorCode } from './errors.ts';
export { Random, createRandom } from './random.ts';
export { denseMatrix, fromRows, rowToArray } from './matrix.ts';
export type { DenseMatrix } from './matrix.ts';

// k-means: k-means++ seeding, Lloyd and Hamerly iterations, mini-batch.
export { kmeansPlusPlus } from './kmeans/init.ts';
export { fitKMeans, assignToNearest, planKMeansFit } from './kmeans/fit.ts';
export type { KMeansOptions, KMeansResult, LloydIteration, KMeansFitPlan, KMeansAlgorithm } from './kmeans/fit.ts';
export { fitMiniBatchKMeans } from './kmeans/minibatch.ts';
export type { MiniBatchKMeansOptions, MiniBatchKMeansResult } from './kmeans/minibatch.ts';
// Chunk kernels for parallel k-means (src/compute runs them in worker threads over shared memory).
export { KMEANS_PHASES, CHUNK_ROWS, createKMeansScratch } from './kmeans/workspace.ts';
export type { KMeansPhase, KMeansWorkspace, KMeansScratch, BufferAllocator } from './kmeans/workspace.ts';
export { runKMeansPhase, runStepsInThread } from './kmeans/phases.ts';

// k-prototypes and k-modes (Huang).
export { fitKPrototypes, fitKModes } from './kprototypes/fit.ts';
export type { KPrototypesOptions, KModesOptions, KPrototypesResult, KPrototypesInit, InitialPrototypes } from './kprototypes/fit.ts';
export { assignKPrototypes, predictKPrototypes } from './kprototypes/assign.ts';
export type { KPrototypesModel, AssignKPrototypesOptions, KPrototypesAssignment, KPrototypesPrediction } from './kprototypes/assign.ts';
export type { MixedMatrix, CategoricalMatrix } from './kprototypes/mixed.ts';

// Gaussian mixtures by EM.
export { fitGaussianMixture } from './gmm/fit.ts';
export type { GaussianMixtureOptions, GaussianMixtureInit, GaussianMixtureIteration, GaussianMixtureResult } from './gmm/fit.ts';
export type { CovarianceType, GaussianMixtureModel } from './gmm/model.ts';
export { predictGaussianMixture, predictProbabilities, scoreSamples, posteriorForPartialRow } from './gmm/predict.ts';
export type { GaussianMixturePrediction, PartialRowPosterior } from './gmm/predict.ts';
export { compareComponents } from './gmm/explain.ts';
export type { ComponentComparison } from './gmm/explain.ts';

// Confidence of hard clusterings: softmax of costs, temperature scaling, calibration error; value of a question.
export {
  softmaxOfCosts,
  meanNegativeLogLikelihood,
  fitTemperature,
  expectedCalibrationError,
  entropy,
  entropyOfSoftmax,
  expectedEntropy,
  STANDARD_NORMAL_NODES,
  STANDARD_NORMAL_WEIGHTS,
} from './confidence.ts';
export type { CalibrationBin } from './confidence.ts';

// Drift between training and serving: decile bins and the population stability index.
export { decileCutPoints, quantileCutPoints, binOf, populationStabilityIndex, DEFAULT_PSI_EPSILON } from './drift.ts';

// Scores, agreement, stability, outliers and the 2-D map.
export { computeSilhouette, computeCalinskiHarabasz, computeDaviesBouldin } from './selection.ts';
export type { SilhouetteOptions, SilhouetteResult } from './selection.ts';
export { adjustedRandIndex } from './agreement.ts';
export { assessClusterStability } from './stability.ts';
export type { ReclusterFunction, StabilityOptions, ClusterStability, StabilityResult } from './stability.ts';
export { computeOutlierThresholds, sortedQuantile } from './outliers.ts';
export type { OutlierThresholdOptions, OutlierThresholds, ClusterOutlierThreshold, DataQualityReason, DataQualityReasonCode } from './outliers.ts';
export { fitPca, projectRows } from './pca.ts';
export type { PcaResult } from './pca.ts';

// Persona drivers: surrogate classifier, SHAP attributions, readable rules; persona matching across versions.
export { fitSurrogate, predictSurrogate } from './drivers/surrogate.ts';
export type { SurrogateOptions, SurrogateModel, SurrogateFit, SurrogatePrediction } from './drivers/surrogate.ts';
export { explainPersonas, attributeRow } from './drivers/attributions.ts';
export type { FeatureAttribution, PersonaDrivers, PersonaExplanations } from './drivers/attributions.ts';
export { findPersonaRules } from './drivers/rules.ts';
export type { RuleSearchOptions, RuleCondition, NumericCondition, CategoricalCondition, PersonaRule, PersonaRules } from './drivers/rules.ts';
export { solveAssignment, matchWithBound } from './matching.ts';
export type { Assignment } from './matching.ts';
// Merging clusters of a fitted model (warm start of a re-fit with fewer personas).
export { planClusterMerge, mergeCenters, mergeMixtureComponents } from './merge.ts';
export type { ClusterMerge, MixtureComponents } from './merge.ts';
// Fairness audit: independence tests, effect sizes, four-fifths ratio, proxy classifier.
export {
  contingencyTable,
  chiSquareIndependence,
  mutualInformation,
  balancedAccuracy,
  fourFifthsRatio,
  regularizedGammaQ,
  stratifiedFolds,
  crossValidateProxyClassifier,
} from './fairness.ts';
export type { ContingencyTable, IndependenceTest, ProxyClassifierOptions, ProxyClassifierResult } from './fairness.ts';
