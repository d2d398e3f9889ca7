-- View: drift by day for BI tools — per model version, UTC day and feature (and the persona mix), the
-- population stability index of that day's /v1/assign traffic against the training distribution, as
-- GET /v1/models/{id}/drift computes it (shares floored at 1e-4).
CREATE OR REPLACE VIEW "bi_drift_by_day" AS
WITH baseline AS (
    SELECT m.id AS model_id, f.value ->> 'name' AS feature, (s.ordinality - 1)::int AS bin, (s.value #>> '{}')::float8 AS expected
    FROM segmentation_model m
    CROSS JOIN LATERAL jsonb_array_elements(m.artifacts -> 'drift' -> 'features') AS f
    CROSS JOIN LATERAL jsonb_array_elements(f.value -> 'shares') WITH ORDINALITY AS s
    UNION ALL
    SELECT m.id, '', (s.ordinality - 1)::int, (s.value #>> '{}')::float8
    FROM segmentation_model m
    CROSS JOIN LATERAL jsonb_array_elements(m.artifacts -> 'drift' -> 'personaShares') WITH ORDINALITY AS s
),
daily AS (
    SELECT model_id, (hour AT TIME ZONE 'UTC')::date AS day, feature, bin, SUM(count)::float8 AS count
    FROM drift_count
    GROUP BY 1, 2, 3, 4
),
totals AS (
    SELECT model_id, day, feature, SUM(count) AS observations FROM daily GROUP BY 1, 2, 3
),
shares AS (
    SELECT t.model_id, t.day, t.feature, t.observations, GREATEST(b.expected, 1e-4) AS expected, GREATEST(COALESCE(d.count, 0) / t.observations, 1e-4) AS actual
    FROM totals t
    JOIN baseline b ON b.model_id = t.model_id AND b.feature = t.feature
    LEFT JOIN daily d ON d.model_id = t.model_id AND d.day = t.day AND d.feature = t.feature AND d.bin = b.bin
)
SELECT
    s.model_id,
    m.name AS model_name,
    m.version AS model_version,
    s.day,
    CASE WHEN s.feature = '' THEN '(persona mix)' ELSE s.feature END AS feature,
    MAX(s.observations)::bigint AS observations,
    SUM((s.actual - s.expected) * LN(s.actual / s.expected)) AS psi,
    CASE
        WHEN MAX(s.observations) < 100 THEN 'insufficient data'
        WHEN SUM((s.actual - s.expected) * LN(s.actual / s.expected)) >= 0.25 THEN 'drifted'
        WHEN SUM((s.actual - s.expected) * LN(s.actual / s.expected)) >= 0.1 THEN 'watch'
        ELSE 'stable'
    END AS verdict
FROM shares s
JOIN segmentation_model m ON m.id = s.model_id
GROUP BY s.model_id, m.name, m.version, s.day, s.feature;

COMMENT ON VIEW "bi_drift_by_day" IS 'Per model version, UTC day and feature (and "(persona mix)"): the population stability index of the day''s /v1/assign traffic against the training distribution, with a verdict. Counts reach the table at every full hour.';
COMMENT ON COLUMN "bi_drift_by_day"."model_id" IS 'The model version';
COMMENT ON COLUMN "bi_drift_by_day"."model_name" IS 'The model name';
COMMENT ON COLUMN "bi_drift_by_day"."model_version" IS 'The version number';
COMMENT ON COLUMN "bi_drift_by_day"."day" IS 'UTC day of the assignments';
COMMENT ON COLUMN "bi_drift_by_day"."feature" IS 'The feature, or "(persona mix)" for the shares of personas';
COMMENT ON COLUMN "bi_drift_by_day"."observations" IS 'Assignments that gave the feature that day';
COMMENT ON COLUMN "bi_drift_by_day"."psi" IS 'Population stability index against training (shares floored at 1e-4)';
COMMENT ON COLUMN "bi_drift_by_day"."verdict" IS 'stable below 0.1, watch from 0.1, drifted from 0.25, insufficient data under 100 assignments';
