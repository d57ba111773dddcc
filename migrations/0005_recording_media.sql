-- The upload's probe result (streams, codecs, start offsets, rotation) as our own JSON record, so the worker that
-- scores a recording does not run ffprobe again. Null for recordings registered before this column existed: the
-- worker probes those itself.
ALTER TABLE recordings ADD COLUMN media jsonb;
