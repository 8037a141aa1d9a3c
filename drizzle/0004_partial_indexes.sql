DROP INDEX "contribution_parent_idx";--> statement-breakpoint
DROP INDEX "contribution_author_idx";--> statement-breakpoint
CREATE INDEX "contribution_parent_idx" ON "contribution" USING btree ("parent_id") WHERE "contribution"."parent_id" is not null;--> statement-breakpoint
CREATE INDEX "contribution_author_idx" ON "contribution" USING btree ("author_id") WHERE "contribution"."author_id" is not null;