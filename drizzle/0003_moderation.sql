CREATE TABLE "contribution_report" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contribution_report_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"contribution_id" integer NOT NULL,
	"reason" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"reporter_id" uuid,
	"reporter_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	CONSTRAINT "contribution_report_once_uq" UNIQUE("contribution_id","reporter_key")
);
--> statement-breakpoint
ALTER TABLE "contribution" ADD COLUMN "redacted_body" text;--> statement-breakpoint
ALTER TABLE "contribution" ADD COLUMN "keep_for_consolidation" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "contribution" ADD COLUMN "claimed_by" uuid;--> statement-breakpoint
ALTER TABLE "contribution" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contribution" ADD COLUMN "moderated_by" uuid;--> statement-breakpoint
ALTER TABLE "contribution" ADD COLUMN "moderated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contribution" ADD COLUMN "moderation_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "contribution_report" ADD CONSTRAINT "contribution_report_contribution_id_contribution_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_report" ADD CONSTRAINT "contribution_report_reporter_id_user_id_fk" FOREIGN KEY ("reporter_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_report" ADD CONSTRAINT "contribution_report_resolved_by_user_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contribution_report_open_idx" ON "contribution_report" USING btree ("contribution_id","resolved_at");--> statement-breakpoint
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_claimed_by_user_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_moderated_by_user_id_fk" FOREIGN KEY ("moderated_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contribution_search_idx" ON "contribution" USING gin (to_tsvector('simple', coalesce("title", '') || ' ' || "body"));