/** The parts of the /v1 responses the board reads (the full shapes are in openapi.yaml). */

export interface ModelRef {
  id: string;
  name: string;
  version: number;
}

export interface KSelectionEntry {
  k: number;
  silhouette: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  bic?: number;
}

export interface ModelDto extends ModelRef {
  status: 'candidate' | 'active' | 'inactive';
  algorithm: string;
  datasetId: string | null;
  createdAt: string;
  activatedAt: string | null;
  parameters: { k: number | null; kRange: [number, number] | null; features: string[] };
  metrics: {
    k: number;
    customers: number;
    silhouette: number;
    calinskiHarabasz: number;
    daviesBouldin: number;
    bic?: number;
    sizes: number[];
    kSelection: KSelectionEntry[];
    selection: { criterion: string; reason: string };
    stability: { meanAdjustedRandIndex: number; unstablePersonas: number } | null;
    warnings: string[];
  };
}

export interface ModelMap {
  explainedVarianceRatio: number[];
  centroids: Array<[number, number]>;
  sample: Array<[number, number, number]>;
}

export interface PersonaSummary {
  id: string;
  index: number;
  key: string;
  name: string;
  share: number;
}

export interface ModelDetail extends ModelDto {
  personas: PersonaSummary[];
  map: ModelMap | null;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export type Trait =
  | { feature: string; kind: 'numeric'; populationMean: number; populationMedian?: number; populationStd: number; personaMean: number; zScore: number }
  | { feature: string; kind: 'categorical'; categories: Array<{ value: string; personaShare: number; populationShare: number; lift: number }> };

export interface Persona {
  id: string;
  modelId: string;
  index: number;
  key: string;
  name: string;
  tagline: string;
  description: string;
  size: number;
  share: number;
  traits: Trait[];
  profile: {
    value: { column: string; mean: number; share: number; index: number } | null;
    snake: Array<{ feature: string; value: number }>;
  };
  drivers: {
    attributions: Array<{ feature: string; attribution: number }>;
    rules: Array<{ text: string; precision: number; coverage: number }>;
  };
  strategies: Array<{ id: string; title: string; description: string; trigger: string }>;
  quality: {
    stability: number | null;
    isStable: boolean | null;
    isDataQuality: boolean;
    reasons: string[];
    nearDuplicateOf: { key: string; name: string; reason: string } | null;
  };
  edits: { name?: { by: string; at: string }; description?: { by: string; at: string } };
}

export interface PersonaList {
  model: ModelRef;
  items: Persona[];
}

export interface Recommendation {
  rank: number;
  product: { id: string; name: string; category: string | null; price: number | null };
  lift: number;
  personaRate: number;
  overallRate: number;
  reason: string;
}

export interface Job {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  phase: string | null;
  model: ModelRef | null;
  error: { title: string; detail: string } | null;
}

interface PersonaRef {
  id: string;
  key: string;
  name: string;
}

export interface Assignment {
  persona: PersonaRef;
  confidence: number;
  runnersUp: Array<{ persona: PersonaRef; probability: number }>;
  unclassified: boolean;
  unclassifiedReason?: string;
  featuresUsed: string[];
  featuresMissing: string[];
  warnings: string[];
  nextQuestion?: { feature: string; expectedInformationGain: number; ranking?: Array<{ feature: string; expectedInformationGain: number }> };
  explanation?: { versus: PersonaRef; features: Array<{ feature: string; contribution: number; text: string }> };
}

export interface Comparison {
  from: ModelRef;
  to: ModelRef;
  matched: Array<{ from: { key: string; name: string }; to: { key: string; name: string }; distance: number }>;
  new: Array<{ key: string; name: string }>;
  vanished: Array<{ key: string; name: string }>;
}

export interface Migration {
  customers: number;
  rows: Array<{ key: string; name: string; count: number; cells: Array<{ to: string; count: number; share: number; hasStayed: boolean }> }>;
  columns: Array<{ key: string; name: string; count: number }>;
  stayed: { count: number; share: number };
  warnings: string[];
}

export interface Drift {
  from: string;
  to: string;
  observations: number;
  verdict: string;
  features: Array<{ feature: string; observations: number; psi: number | null; verdict: string }>;
  personas: { psi: number | null; verdict: string; shares: Array<{ persona: PersonaRef; expected: number; actual: number }> };
}

export interface HistoryEvent {
  kind: string;
  from: { id: string; version: number } | null;
  to: { id: string; version: number } | null;
  actor: string;
  at: string;
}
