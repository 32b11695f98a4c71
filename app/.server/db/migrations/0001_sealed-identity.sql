-- Accounts hold a list of key pairs (P-256 always, the 25519 curves where the browser has them),
-- with the wrapped identity sealed again by the server. No deployment kept accounts before this
-- migration: the NOT NULL columns without a default refuse a table that has rows, on purpose.
ALTER TABLE "accounts" ADD COLUMN "public_keys" jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "sealed_identity" "bytea" NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" DROP COLUMN "ecdh_public_key_algorithm";--> statement-breakpoint
ALTER TABLE "accounts" DROP COLUMN "ecdh_public_key";--> statement-breakpoint
ALTER TABLE "accounts" DROP COLUMN "signing_public_key_algorithm";--> statement-breakpoint
ALTER TABLE "accounts" DROP COLUMN "signing_public_key";--> statement-breakpoint
ALTER TABLE "accounts" DROP COLUMN "wrapped_ecdh_private_key";--> statement-breakpoint
ALTER TABLE "accounts" DROP COLUMN "ecdh_wrap_iv";--> statement-breakpoint
ALTER TABLE "accounts" DROP COLUMN "wrapped_signing_private_key";--> statement-breakpoint
ALTER TABLE "accounts" DROP COLUMN "signing_wrap_iv";