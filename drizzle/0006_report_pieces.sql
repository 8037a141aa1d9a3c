CREATE TABLE "committee_report_piece" (
	"report_id" integer NOT NULL,
	"position" integer NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "committee_report_piece_report_id_position_pk" PRIMARY KEY("report_id","position")
);
--> statement-breakpoint
-- Not by drizzle-kit: the files are PDF, DOCX and XLSX (compressed already) or a CSV that is
-- rarely large, so pglz would spend its time on each piece for nothing.
ALTER TABLE "committee_report_piece" ALTER COLUMN "bytes" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "committee_report_piece" ADD CONSTRAINT "committee_report_piece_report_id_committee_report_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."committee_report"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Not by drizzle-kit: files stored before this migration move into pieces of 256 KiB, so their
-- download reads a few pieces per query as well (new files: PIECE_BYTES in exports/store.ts).
INSERT INTO "committee_report_piece" ("report_id", "position", "bytes")
SELECT "id", n, substring("data" from n * 262144 + 1 for 262144)
FROM "committee_report", generate_series(0, (octet_length("data") - 1) / 262144) AS n
WHERE octet_length("data") > 0;--> statement-breakpoint
ALTER TABLE "committee_report" DROP COLUMN "data";
