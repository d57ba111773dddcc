-- has_audio / has_video mean "this window had an audio / a visual prediction" (docs/results.md); they were written
-- from the recording's streams instead, so a window where the face was not seen (face_coverage 0) said has_video
-- TRUE. The branch predictions are stored beside the flags: derive the flags from them, and a recording's flags from
-- its windows (any window with that branch's prediction).
UPDATE timeline_windows
   SET has_audio = audio_emi IS NOT NULL, has_video = visual_emi IS NOT NULL
 WHERE has_audio <> (audio_emi IS NOT NULL) OR has_video <> (visual_emi IS NOT NULL);

UPDATE recording_scores rs
   SET has_audio = w.any_audio, has_video = w.any_video
  FROM (SELECT recording_id, bundle_id, bool_or(audio_emi IS NOT NULL) AS any_audio, bool_or(visual_emi IS NOT NULL) AS any_video
          FROM timeline_windows GROUP BY recording_id, bundle_id) w
 WHERE w.recording_id = rs.recording_id AND w.bundle_id = rs.bundle_id
   AND (rs.has_audio <> w.any_audio OR rs.has_video <> w.any_video);
