-- BI views: documented, read-only shapes of the segmentation data that BI tools (Power BI, Looker
-- Studio, Metabase, a BigQuery federated query…) read directly. Views are not Prisma models: the
-- service never queries them, and each is replaced as a whole when its definition changes.

-- The persona each customer was last assigned by each model name (any version), from the assignment log.
CREATE OR REPLACE VIEW "bi_current_persona" AS
SELECT DISTINCT ON (m.name, l.external_id)
  m.name          AS model_name,
  l.external_id   AS external_id,
  m.id            AS model_id,
  m.version       AS model_version,
  p.id            AS persona_id,
  p.key           AS persona_key,
  p.name          AS persona_name,
  l.confidence    AS confidence,
  l.distance      AS distance,
  l.unclassified  AS unclassified,
  l.assigned_at   AS assigned_at
FROM assignment_log l
JOIN segmentation_model m ON m.id = l.model_id
JOIN persona p ON p.id = l.persona_id
WHERE l.external_id IS NOT NULL
-- The id breaks ties within a millisecond, as GET /v1/customers/{id}/personas does.
ORDER BY m.name, l.external_id, l.assigned_at DESC, l.id DESC;

COMMENT ON VIEW "bi_current_persona" IS 'The latest persona of every customer (by external id) per model name: the newest assignment that /v1/assign logged for a request with a customerId, whichever version of the model served it.';
COMMENT ON COLUMN "bi_current_persona"."model_name" IS 'Model name (all versions of a model share it).';
COMMENT ON COLUMN "bi_current_persona"."external_id" IS 'The customerId sent to /v1/assign.';
COMMENT ON COLUMN "bi_current_persona"."model_id" IS 'Model version that made the latest assignment.';
COMMENT ON COLUMN "bi_current_persona"."model_version" IS 'Version number of that model version.';
COMMENT ON COLUMN "bi_current_persona"."persona_id" IS 'Persona id within that version.';
COMMENT ON COLUMN "bi_current_persona"."persona_key" IS 'Persona slug, stable across versions of the model when retraining matched the persona.';
COMMENT ON COLUMN "bi_current_persona"."persona_name" IS 'Persona name as it is now (people may rename personas).';
COMMENT ON COLUMN "bi_current_persona"."confidence" IS 'Probability of the persona when assigned (0–1).';
COMMENT ON COLUMN "bi_current_persona"."distance" IS 'Distance to the persona centre over the features given.';
COMMENT ON COLUMN "bi_current_persona"."unclassified" IS 'True when the customer was beyond the persona''s distance threshold: the persona is then only the nearest.';
COMMENT ON COLUMN "bi_current_persona"."assigned_at" IS 'When the assignment was served (UTC).';

-- Every persona of every stored model version with its size and value figures from training.
CREATE OR REPLACE VIEW "bi_persona_summary" AS
SELECT
  m.id                                           AS model_id,
  m.name                                         AS model_name,
  m.version                                      AS model_version,
  m.status::text                                 AS model_status,
  (m.status = 'active')                          AS is_active,
  m.activated_at                                 AS activated_at,
  p.id                                           AS persona_id,
  p.index                                        AS persona_index,
  p.key                                          AS persona_key,
  p.name                                         AS persona_name,
  p.tagline                                      AS tagline,
  p.size                                         AS size,
  p.share                                        AS share,
  p.profile -> 'value' ->> 'column'              AS value_column,
  d.value_kind                                   AS value_kind,
  (p.profile -> 'value' ->> 'mean')::float8      AS value_mean,
  (p.profile -> 'value' ->> 'share')::float8     AS value_share,
  (p.profile -> 'value' ->> 'index')::float8     AS value_index,
  (p.profile -> 'clv' ->> 'mean')::float8        AS clv_mean,
  NULLIF(p.profile -> 'clv' ->> 'formula', '')   AS clv_formula,
  (p.quality ->> 'stability')::float8            AS stability,
  COALESCE((p.quality ->> 'isDataQuality')::boolean, false) AS is_data_quality
FROM persona p
JOIN segmentation_model m ON m.id = p.model_id
LEFT JOIN dataset d ON d.id = m.dataset_id;

COMMENT ON VIEW "bi_persona_summary" IS 'One row per persona of every model version: size and share of customers at training, share of value and value index, and the CLV-like figure (GET /v1/personas shows the same figures). Filter on is_active for the personas being served.';
COMMENT ON COLUMN "bi_persona_summary"."model_id" IS 'Model version id.';
COMMENT ON COLUMN "bi_persona_summary"."model_name" IS 'Model name (all versions of a model share it).';
COMMENT ON COLUMN "bi_persona_summary"."model_version" IS 'Version number within the model name.';
COMMENT ON COLUMN "bi_persona_summary"."model_status" IS 'candidate (trained, never served), active (served now) or inactive (served before, kept for rollback).';
COMMENT ON COLUMN "bi_persona_summary"."is_active" IS 'True for the version /v1/assign serves under this model name.';
COMMENT ON COLUMN "bi_persona_summary"."activated_at" IS 'When the version was last activated (UTC); null if never.';
COMMENT ON COLUMN "bi_persona_summary"."persona_id" IS 'Persona id within the version.';
COMMENT ON COLUMN "bi_persona_summary"."persona_index" IS 'Cluster index in the model (0-based).';
COMMENT ON COLUMN "bi_persona_summary"."persona_key" IS 'Persona slug, stable across versions when retraining matched the persona.';
COMMENT ON COLUMN "bi_persona_summary"."persona_name" IS 'Persona name as it is now.';
COMMENT ON COLUMN "bi_persona_summary"."tagline" IS 'One line that sums the persona up.';
COMMENT ON COLUMN "bi_persona_summary"."size" IS 'Customers of the training dataset in the persona.';
COMMENT ON COLUMN "bi_persona_summary"."share" IS 'size ÷ all customers of the training dataset (0–1; sums to 1 over a version).';
COMMENT ON COLUMN "bi_persona_summary"."value_column" IS 'Dataset column that measures customer value (premium, spend, balance…); null without one.';
COMMENT ON COLUMN "bi_persona_summary"."value_kind" IS 'What the value column measures: annual, monthly, lifetime or balance.';
COMMENT ON COLUMN "bi_persona_summary"."value_mean" IS 'Mean value per member.';
COMMENT ON COLUMN "bi_persona_summary"."value_share" IS 'Share of the total value of all customers held by the persona (0–1).';
COMMENT ON COLUMN "bi_persona_summary"."value_index" IS 'value_share ÷ share: above 1, the persona is worth more than its size.';
COMMENT ON COLUMN "bi_persona_summary"."clv_mean" IS 'CLV-like figure: mean value realised so far per member (by value kind and tenure); null for balances or without a tenure column.';
COMMENT ON COLUMN "bi_persona_summary"."clv_formula" IS 'How clv_mean is computed, e.g. "MonthlyCharges × 12 × tenure in years".';
COMMENT ON COLUMN "bi_persona_summary"."stability" IS 'Mean bootstrap Jaccard similarity (0–1; 0.75 and above is stable); null when not computed.';
COMMENT ON COLUMN "bi_persona_summary"."is_data_quality" IS 'True for a tiny cluster or one dominated by imputed values: a data-quality group rather than a persona.';

-- Every product ranked for every persona at training, with the product's catalogue fields.
CREATE OR REPLACE VIEW "bi_products_by_persona" AS
SELECT
  m.id              AS model_id,
  m.name            AS model_name,
  m.version         AS model_version,
  (m.status = 'active') AS is_active,
  p.id              AS persona_id,
  p.key             AS persona_key,
  p.name            AS persona_name,
  pr.external_id    AS product_id,
  pr.name           AS product_name,
  pr.category       AS product_category,
  pr.price          AS product_price,
  r.rank            AS rank,
  r.lift            AS lift,
  r.persona_rate    AS persona_rate,
  r.overall_rate    AS overall_rate,
  r.support         AS support,
  r.buyers          AS buyers
FROM persona_recommendation r
JOIN persona p ON p.id = r.persona_id
JOIN segmentation_model m ON m.id = p.model_id
JOIN product pr ON pr.id = r.product_id;

COMMENT ON VIEW "bi_products_by_persona" IS 'Persona × product: the purchase rate of each product within the persona against all customers of the training dataset, ranked by lift (GET /v1/personas/{id}/recommendations shows the same figures).';
COMMENT ON COLUMN "bi_products_by_persona"."model_id" IS 'Model version id.';
COMMENT ON COLUMN "bi_products_by_persona"."model_name" IS 'Model name.';
COMMENT ON COLUMN "bi_products_by_persona"."model_version" IS 'Version number within the model name.';
COMMENT ON COLUMN "bi_products_by_persona"."is_active" IS 'True for the version /v1/assign serves under this model name.';
COMMENT ON COLUMN "bi_products_by_persona"."persona_id" IS 'Persona id within the version.';
COMMENT ON COLUMN "bi_products_by_persona"."persona_key" IS 'Persona slug, stable across versions when retraining matched the persona.';
COMMENT ON COLUMN "bi_products_by_persona"."persona_name" IS 'Persona name as it is now.';
COMMENT ON COLUMN "bi_products_by_persona"."product_id" IS 'Product external id, as uploaded.';
COMMENT ON COLUMN "bi_products_by_persona"."product_name" IS 'Product name.';
COMMENT ON COLUMN "bi_products_by_persona"."product_category" IS 'Product category; null if none was uploaded.';
COMMENT ON COLUMN "bi_products_by_persona"."product_price" IS 'Product price; null if none was uploaded.';
COMMENT ON COLUMN "bi_products_by_persona"."rank" IS 'Position in the persona''s ranking by lift, then support (1 = first).';
COMMENT ON COLUMN "bi_products_by_persona"."lift" IS 'persona_rate ÷ overall_rate: how much more likely a member is to buy the product than any customer.';
COMMENT ON COLUMN "bi_products_by_persona"."persona_rate" IS 'Share of the persona''s members who bought the product (0–1).';
COMMENT ON COLUMN "bi_products_by_persona"."overall_rate" IS 'Share of all customers who bought the product (0–1).';
COMMENT ON COLUMN "bi_products_by_persona"."support" IS 'Persona members who bought the product.';
COMMENT ON COLUMN "bi_products_by_persona"."buyers" IS 'Customers overall who bought the product.';

-- The daily persona mix of served assignments. Named *_by_day so that drift views can sit beside it.
CREATE OR REPLACE VIEW "bi_assignments_by_day" AS
WITH daily AS (
  SELECT l.model_id, (l.assigned_at AT TIME ZONE 'UTC')::date AS day, l.persona_id,
         count(*) AS assignments, count(*) FILTER (WHERE l.unclassified) AS unclassified
  FROM assignment_log l
  GROUP BY l.model_id, (l.assigned_at AT TIME ZONE 'UTC')::date, l.persona_id
)
SELECT
  m.id              AS model_id,
  m.name            AS model_name,
  m.version         AS model_version,
  d.day             AS day,
  p.id              AS persona_id,
  p.key             AS persona_key,
  p.name            AS persona_name,
  d.assignments     AS assignments,
  d.unclassified    AS unclassified,
  d.assignments::float8 / sum(d.assignments) OVER (PARTITION BY d.model_id, d.day) AS share
FROM daily d
JOIN segmentation_model m ON m.id = d.model_id
JOIN persona p ON p.id = d.persona_id;

COMMENT ON VIEW "bi_assignments_by_day" IS 'Per model version, UTC day and persona: the assignments /v1/assign served and their share of that day''s assignments by the version (the persona mix of live traffic, to set beside the training shares in bi_persona_summary). Personas with no assignment on a day have no row.';
COMMENT ON COLUMN "bi_assignments_by_day"."model_id" IS 'Model version that served the assignments.';
COMMENT ON COLUMN "bi_assignments_by_day"."model_name" IS 'Model name.';
COMMENT ON COLUMN "bi_assignments_by_day"."model_version" IS 'Version number within the model name.';
COMMENT ON COLUMN "bi_assignments_by_day"."day" IS 'Calendar day in UTC.';
COMMENT ON COLUMN "bi_assignments_by_day"."persona_id" IS 'Persona id within the version.';
COMMENT ON COLUMN "bi_assignments_by_day"."persona_key" IS 'Persona slug, stable across versions when retraining matched the persona.';
COMMENT ON COLUMN "bi_assignments_by_day"."persona_name" IS 'Persona name as it is now.';
COMMENT ON COLUMN "bi_assignments_by_day"."assignments" IS 'Assignments to the persona that day (with or without a customerId).';
COMMENT ON COLUMN "bi_assignments_by_day"."unclassified" IS 'Of those, assignments beyond the persona''s distance threshold.';
COMMENT ON COLUMN "bi_assignments_by_day"."share" IS 'assignments ÷ all assignments by the version that day (0–1; sums to 1 per version and day).';
