import { describe, expect, it } from 'vitest';
import * as engine from '../../src/engine/index.ts';

describe('engine public surface', () => {
  it('exports exactly the documented functions and classes', () => {
    // Types are erased; this pins the runtime surface so an accidental export of a kernel shows up in review.
    expect(Object.keys(engine).sort()).toEqual(
      [
        'CHUNK_ROWS',
        'EngineInputError',
        'KMEANS_PHASES',
        'Random',
        'adjustedRandIndex',
        'assessClusterStability',
        'assignKPrototypes',
        'assignToNearest',
        'attributeRow',
        'computeCalinskiHarabasz',
        'computeDaviesBouldin',
        'computeOutlierThresholds',
        'sortedQuantile',
        'computeSilhouette',
        'createKMeansScratch',
        'createRandom',
        'denseMatrix',
        'explainPersonas',
        'findPersonaRules',
        'fitGaussianMixture',
        'fitKMeans',
        'fitKModes',
        'fitKPrototypes',
        'fitMiniBatchKMeans',
        'fitPca',
        'fitSurrogate',
        'fromRows',
        'kmeansPlusPlus',
        'matchWithBound',
        'mergeCenters',
        'mergeMixtureComponents',
        'planClusterMerge',
        'planKMeansFit',
        'posteriorForPartialRow',
        'predictGaussianMixture',
        'predictKPrototypes',
        'predictProbabilities',
        'predictSurrogate',
        'projectRows',
        'rowToArray',
        'runKMeansPhase',
        'runStepsInThread',
        'scoreSamples',
        'solveAssignment',
        'compareComponents',
        'decileCutPoints',
        'quantileCutPoints',
        'binOf',
        'populationStabilityIndex',
        'DEFAULT_PSI_EPSILON',
        'softmaxOfCosts',
        'meanNegativeLogLikelihood',
        'fitTemperature',
        'expectedCalibrationError',
        'entropy',
        'entropyOfSoftmax',
        'expectedEntropy',
        'STANDARD_NORMAL_NODES',
        'STANDARD_NORMAL_WEIGHTS',
        'contingencyTable',
        'chiSquareIndependence',
        'mutualInformation',
        'balancedAccuracy',
        'fourFifthsRatio',
        'regularizedGammaQ',
        'stratifiedFolds',
        'crossValidateProxyClassifier',
      ].sort(),
    );
  });

  it('reports invalid input as an Error subclass with a stable code', () => {
    const error = new engine.EngineInputError('invalid_k', 'k = 0 must be an integer ≥ 1');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('EngineInputError');
    expect(error.code).toBe('invalid_k');
  });
});
