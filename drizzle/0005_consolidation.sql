-- Similarity of contribution texts (group suggestions): pg_trgm, also built into PGlite.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "assignment" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "assignment_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"round_id" integer NOT NULL,
	"response_id" integer NOT NULL,
	"department_id" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"handed_over_from" integer,
	"draft_answer" text DEFAULT '' NOT NULL,
	"proposed_verdict" text,
	"drafted_by" uuid,
	"drafted_at" timestamp with time zone,
	"assigned_by" uuid,
	"assigned_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "committee_report" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "committee_report_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"consultation_id" integer NOT NULL,
	"scope" text NOT NULL,
	"committee_id" integer,
	"field_key" text,
	"format" text NOT NULL,
	"variant" text DEFAULT 'anonymised' NOT NULL,
	"draft" boolean DEFAULT false NOT NULL,
	"locale" text DEFAULT 'de' NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"file_name" text,
	"media_type" text,
	"size" integer,
	"sha512" text,
	"data" "bytea",
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "consolidation_setting" (
	"consultation_id" integer PRIMARY KEY NOT NULL,
	"require_second_approval" boolean DEFAULT false NOT NULL,
	"answers_published_at" timestamp with time zone,
	"answers_published_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contribution_group_member" (
	"contribution_id" integer PRIMARY KEY NOT NULL,
	"group_id" integer NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contribution_group" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contribution_group_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"consultation_id" integer NOT NULL,
	"title" text NOT NULL,
	"lead_contribution_id" integer NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contribution_section" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contribution_section_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"contribution_id" integer NOT NULL,
	"position" integer NOT NULL,
	"body" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contribution_section_position_uq" UNIQUE("contribution_id","position")
);
--> statement-breakpoint
CREATE TABLE "contribution_tag" (
	"contribution_id" integer NOT NULL,
	"tag_id" integer NOT NULL,
	CONSTRAINT "contribution_tag_contribution_id_tag_id_pk" PRIMARY KEY("contribution_id","tag_id")
);
--> statement-breakpoint
CREATE TABLE "department_round" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "department_round_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"consultation_id" integer NOT NULL,
	"title" text NOT NULL,
	"instructions" text DEFAULT '' NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"remind_days_before" integer DEFAULT 3 NOT NULL,
	"reminder_sent_at" timestamp with time zone,
	"status" text DEFAULT 'open' NOT NULL,
	"opened_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "response" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "response_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"consultation_id" integer NOT NULL,
	"contribution_id" integer NOT NULL,
	"section_id" integer,
	"group_id" integer,
	"target_kind" text NOT NULL,
	"target_key" text,
	"superseded" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"answer" text DEFAULT '' NOT NULL,
	"verdict" text,
	"internal_note" text DEFAULT '' NOT NULL,
	"translation" text,
	"change_version_id" integer,
	"change_target_kind" text,
	"change_target_key" text,
	"change_note" text DEFAULT '' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"notified_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "response_one_subject" CHECK ("response"."section_id" is null or "response"."group_id" is null)
);
--> statement-breakpoint
CREATE TABLE "tag" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tag_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"consultation_id" integer NOT NULL,
	"label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tag_label_uq" UNIQUE("consultation_id","label")
);
--> statement-breakpoint
CREATE TABLE "text_block" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "text_block_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"department_id" integer,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_round_id_department_round_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."department_round"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_response_id_response_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."response"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_department_id_department_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."department"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_drafted_by_user_id_fk" FOREIGN KEY ("drafted_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_assigned_by_user_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_report" ADD CONSTRAINT "committee_report_consultation_id_consultation_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_report" ADD CONSTRAINT "committee_report_committee_id_committee_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."committee"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "committee_report" ADD CONSTRAINT "committee_report_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consolidation_setting" ADD CONSTRAINT "consolidation_setting_consultation_id_consultation_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consolidation_setting" ADD CONSTRAINT "consolidation_setting_answers_published_by_user_id_fk" FOREIGN KEY ("answers_published_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_group_member" ADD CONSTRAINT "contribution_group_member_contribution_id_contribution_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_group_member" ADD CONSTRAINT "contribution_group_member_group_id_contribution_group_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."contribution_group"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_group" ADD CONSTRAINT "contribution_group_consultation_id_consultation_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_group" ADD CONSTRAINT "contribution_group_lead_contribution_id_contribution_id_fk" FOREIGN KEY ("lead_contribution_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_group" ADD CONSTRAINT "contribution_group_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_section" ADD CONSTRAINT "contribution_section_contribution_id_contribution_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_section" ADD CONSTRAINT "contribution_section_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_tag" ADD CONSTRAINT "contribution_tag_contribution_id_contribution_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_tag" ADD CONSTRAINT "contribution_tag_tag_id_tag_id_fk" FOREIGN KEY ("tag_id") REFERENCES "public"."tag"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "department_round" ADD CONSTRAINT "department_round_consultation_id_consultation_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "department_round" ADD CONSTRAINT "department_round_opened_by_user_id_fk" FOREIGN KEY ("opened_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response" ADD CONSTRAINT "response_consultation_id_consultation_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response" ADD CONSTRAINT "response_contribution_id_contribution_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response" ADD CONSTRAINT "response_section_id_contribution_section_id_fk" FOREIGN KEY ("section_id") REFERENCES "public"."contribution_section"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response" ADD CONSTRAINT "response_group_id_contribution_group_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."contribution_group"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response" ADD CONSTRAINT "response_change_version_id_plan_version_id_fk" FOREIGN KEY ("change_version_id") REFERENCES "public"."plan_version"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response" ADD CONSTRAINT "response_decided_by_user_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response" ADD CONSTRAINT "response_approved_by_user_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tag" ADD CONSTRAINT "tag_consultation_id_consultation_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "text_block" ADD CONSTRAINT "text_block_department_id_department_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."department"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "text_block" ADD CONSTRAINT "text_block_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assignment_department_idx" ON "assignment" USING btree ("department_id","status");--> statement-breakpoint
CREATE INDEX "assignment_round_idx" ON "assignment" USING btree ("round_id","status");--> statement-breakpoint
CREATE INDEX "assignment_response_idx" ON "assignment" USING btree ("response_id");--> statement-breakpoint
CREATE INDEX "committee_report_consultation_idx" ON "committee_report" USING btree ("consultation_id","created_at");--> statement-breakpoint
CREATE INDEX "committee_report_due_idx" ON "committee_report" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "contribution_group_member_group_idx" ON "contribution_group_member" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "contribution_group_consultation_idx" ON "contribution_group" USING btree ("consultation_id");--> statement-breakpoint
CREATE INDEX "contribution_tag_tag_idx" ON "contribution_tag" USING btree ("tag_id");--> statement-breakpoint
CREATE INDEX "department_round_consultation_idx" ON "department_round" USING btree ("consultation_id");--> statement-breakpoint
CREATE INDEX "response_consultation_idx" ON "response" USING btree ("consultation_id","superseded","status");--> statement-breakpoint
CREATE INDEX "response_target_idx" ON "response" USING btree ("consultation_id","target_kind","target_key");--> statement-breakpoint
CREATE INDEX "response_contribution_idx" ON "response" USING btree ("contribution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "response_section_uq" ON "response" USING btree ("section_id") WHERE "response"."section_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "response_group_uq" ON "response" USING btree ("group_id") WHERE "response"."group_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "response_own_uq" ON "response" USING btree ("contribution_id") WHERE "response"."section_id" is null and "response"."group_id" is null;--> statement-breakpoint
CREATE INDEX "text_block_department_idx" ON "text_block" USING btree ("department_id");
