-- Pretrained perception per window (issue 22): speech presence from the audio branch's speech stage, and what the
-- face stage's FaceMesh and expression classifier measured of the tracked face. Each is null where the bundle has no
-- such stage or the window no perceived face; docs/results.md gives units and ranges. Descriptors are measured from
-- landmarks (inter-ocular units, degrees for the head), not FACS-coded action-unit intensities.
-- The same columns go to the windows and to the recordings' aggregates: listed once, added to both tables.
DO $$
DECLARE
    target text;
    columns text := $columns$
        ADD COLUMN speech_coverage real CHECK (speech_coverage BETWEEN 0 AND 1),
        ADD COLUMN face_confidence real CHECK (face_confidence BETWEEN 0 AND 1),
        ADD COLUMN au01_inner_brow_raise real,
        ADD COLUMN au02_outer_brow_raise real,
        ADD COLUMN au04_brow_lower real,
        ADD COLUMN au43_eye_closure real CHECK (au43_eye_closure BETWEEN 0 AND 1),
        ADD COLUMN au12_lip_corner_pull real,
        ADD COLUMN au15_lip_corner_depress real,
        ADD COLUMN au25_lips_part real,
        ADD COLUMN au26_jaw_drop real,
        ADD COLUMN head_yaw_deg real CHECK (head_yaw_deg BETWEEN -180 AND 180),
        ADD COLUMN head_pitch_deg real CHECK (head_pitch_deg BETWEEN -180 AND 180),
        ADD COLUMN head_roll_deg real CHECK (head_roll_deg BETWEEN -180 AND 180),
        ADD COLUMN expr_angry real CHECK (expr_angry BETWEEN 0 AND 1),
        ADD COLUMN expr_disgust real CHECK (expr_disgust BETWEEN 0 AND 1),
        ADD COLUMN expr_fear real CHECK (expr_fear BETWEEN 0 AND 1),
        ADD COLUMN expr_happy real CHECK (expr_happy BETWEEN 0 AND 1),
        ADD COLUMN expr_sad real CHECK (expr_sad BETWEEN 0 AND 1),
        ADD COLUMN expr_surprise real CHECK (expr_surprise BETWEEN 0 AND 1),
        ADD COLUMN expr_neutral real CHECK (expr_neutral BETWEEN 0 AND 1)
    $columns$;
BEGIN
    FOREACH target IN ARRAY ARRAY['timeline_windows', 'recording_scores'] LOOP
        EXECUTE format('ALTER TABLE %I %s', target, columns);
    END LOOP;
END
$$;
