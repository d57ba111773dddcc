-- The face stage (issue 15): the fraction of a window's visual frames in which the tracked participant's face was
-- seen, and the same over the whole recording. Null where the bundle has no face stage or the recording no video.
ALTER TABLE timeline_windows ADD COLUMN face_coverage real CHECK (face_coverage BETWEEN 0 AND 1);
ALTER TABLE recording_scores ADD COLUMN face_coverage real CHECK (face_coverage BETWEEN 0 AND 1);
