CREATE TABLE "attachment" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "attachment_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"contribution_id" integer NOT NULL,
	"file_name" text NOT NULL,
	"media_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contribution_reference" (
	"contribution_id" integer NOT NULL,
	"target_kind" text NOT NULL,
	"target_key" text NOT NULL,
	CONSTRAINT "contribution_reference_contribution_id_target_kind_target_key_pk" PRIMARY KEY("contribution_id","target_kind","target_key")
);
--> statement-breakpoint
CREATE TABLE "contribution" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contribution_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"consultation_id" integer NOT NULL,
	"phase_id" integer,
	"kind" text NOT NULL,
	"target_kind" text NOT NULL,
	"target_key" text,
	"plan_version_id" integer,
	"parent_id" integer,
	"title" text,
	"body" text NOT NULL,
	"language" text NOT NULL,
	"page_locale" text NOT NULL,
	"author_id" uuid,
	"guest_email" text,
	"submitter_name" text,
	"submitter_details" text,
	"organisation_id" integer,
	"status" text NOT NULL,
	"status_reason" text,
	"channel" text DEFAULT 'online' NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"receipt_number" text,
	"consent_privacy_at" timestamp with time zone,
	"publish_text" boolean DEFAULT true NOT NULL,
	"publish_name" boolean DEFAULT false NOT NULL,
	"form_token" text,
	"entered_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"withdrawn_at" timestamp with time zone,
	CONSTRAINT "contribution_receipt_number_unique" UNIQUE("receipt_number"),
	CONSTRAINT "contribution_form_token_unique" UNIQUE("form_token")
);
--> statement-breakpoint
CREATE TABLE "guest_session" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "guest_token" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"purpose" text NOT NULL,
	"contribution_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "organisation_member" (
	"organisation_id" integer NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text DEFAULT 'requested' NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"decision_note" text,
	CONSTRAINT "organisation_member_organisation_id_user_id_pk" PRIMARY KEY("organisation_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "organisation" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "organisation_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"website" text,
	"contact" text DEFAULT '' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"verified_at" timestamp with time zone,
	"verified_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisation_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "receipt_counter" (
	"consultation_id" integer NOT NULL,
	"year" integer NOT NULL,
	"last" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "receipt_counter_consultation_id_year_pk" PRIMARY KEY("consultation_id","year")
);
--> statement-breakpoint
ALTER TABLE "consultation" ADD COLUMN "receipt_prefix" text DEFAULT 'B' NOT NULL;--> statement-breakpoint
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_contribution_id_contribution_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution_reference" ADD CONSTRAINT "contribution_reference_contribution_id_contribution_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_consultation_id_consultation_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_phase_id_phase_id_fk" FOREIGN KEY ("phase_id") REFERENCES "public"."phase"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_plan_version_id_plan_version_id_fk" FOREIGN KEY ("plan_version_id") REFERENCES "public"."plan_version"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_parent_id_contribution_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_author_id_user_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisation"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contribution" ADD CONSTRAINT "contribution_entered_by_user_id_fk" FOREIGN KEY ("entered_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guest_token" ADD CONSTRAINT "guest_token_contribution_id_contribution_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contribution"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_member" ADD CONSTRAINT "organisation_member_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_member" ADD CONSTRAINT "organisation_member_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_member" ADD CONSTRAINT "organisation_member_decided_by_user_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation" ADD CONSTRAINT "organisation_verified_by_user_id_fk" FOREIGN KEY ("verified_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipt_counter" ADD CONSTRAINT "receipt_counter_consultation_id_consultation_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachment_contribution_idx" ON "attachment" USING btree ("contribution_id");--> statement-breakpoint
CREATE INDEX "contribution_reference_target_idx" ON "contribution_reference" USING btree ("target_kind","target_key");--> statement-breakpoint
CREATE INDEX "contribution_target_idx" ON "contribution" USING btree ("consultation_id","target_kind","target_key","status","created_at");--> statement-breakpoint
CREATE INDEX "contribution_status_idx" ON "contribution" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "contribution_parent_idx" ON "contribution" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "contribution_author_idx" ON "contribution" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "contribution_guest_idx" ON "contribution" USING btree ("guest_email");--> statement-breakpoint
CREATE INDEX "guest_session_expires_idx" ON "guest_session" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "guest_token_email_idx" ON "guest_token" USING btree ("email");--> statement-breakpoint
CREATE INDEX "guest_token_expires_idx" ON "guest_token" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "organisation_member_user_idx" ON "organisation_member" USING btree ("user_id");