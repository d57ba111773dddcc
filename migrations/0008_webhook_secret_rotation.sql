-- Webhook secrets can be rotated: the new secret signs every delivery at once, and the one it replaced keeps signing
-- them too until previous_secret_expires_at, so a receiver can switch to the new secret without refusing a delivery.
-- Only one previous secret is kept: rotating again inside the window ends the older one's validity.
ALTER TABLE webhooks ADD COLUMN previous_secret varchar(100);
ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at timestamptz;
ALTER TABLE webhooks ADD COLUMN secret_rotated_at timestamptz;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_previous_secret_check
    CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL));
-- The table's grants (0004: SELECT, INSERT, UPDATE, DELETE to emi_app and emi_admin) cover the new columns.
