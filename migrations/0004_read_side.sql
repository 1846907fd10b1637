CREATE TABLE "dead_letters" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dead_letters_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"message_id" text NOT NULL,
	"queue" text NOT NULL,
	"tenant_id" text,
	"body" jsonb NOT NULL,
	"attempts" integer NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"replayed_at" timestamp with time zone,
	"replays" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rm_manifest_applied" (
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"version" bigint NOT NULL,
	"state" jsonb,
	CONSTRAINT "rm_manifest_applied_tenant_id_stream_id_pk" PRIMARY KEY("tenant_id","stream_id")
);
--> statement-breakpoint
CREATE TABLE "rm_metrics_applied" (
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"version" bigint NOT NULL,
	"state" jsonb,
	CONSTRAINT "rm_metrics_applied_tenant_id_stream_id_pk" PRIMARY KEY("tenant_id","stream_id")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"from_version" bigint NOT NULL,
	"to_version" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "projections" (
	"name" text PRIMARY KEY NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"rebuild_generation" integer,
	"rebuild_registered_xid" "xid8",
	"rebuild_checkpoint_tx" "xid8",
	"rebuild_checkpoint_pos" bigint,
	"rebuild_applied" bigint DEFAULT 0 NOT NULL,
	"rebuild_total" bigint,
	"rebuild_started_at" timestamp with time zone,
	"last_rebuild" jsonb,
	"last_applied_at" timestamp with time zone,
	"last_position" bigint
);
--> statement-breakpoint
CREATE TABLE "rm_manifest" (
	"tenant_id" text NOT NULL,
	"flight_id" text NOT NULL,
	"carrier" text NOT NULL,
	"item_type" text NOT NULL,
	"item_id" text NOT NULL,
	"uld_id" text,
	"linked_by" text NOT NULL,
	"linked_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rm_manifest_tenant_id_flight_id_item_type_item_id_pk" PRIMARY KEY("tenant_id","flight_id","item_type","item_id")
);
--> statement-breakpoint
CREATE TABLE "rm_metric_samples" (
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"version" bigint NOT NULL,
	"metric" text NOT NULL,
	"airport" text,
	"carriers" text[] DEFAULT '{}' NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "rm_metric_samples_tenant_id_stream_id_version_metric_pk" PRIMARY KEY("tenant_id","stream_id","version","metric")
);
--> statement-breakpoint
CREATE TABLE "rm_status" (
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"status" text,
	"location" text,
	"airport" text,
	"flight" text,
	"uld" text,
	"pieces" integer,
	"weight_kg" double precision,
	"carriers" text[] DEFAULT '{}' NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_event_type" text NOT NULL,
	"last_event_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" bigint NOT NULL,
	CONSTRAINT "rm_status_tenant_id_stream_id_pk" PRIMARY KEY("tenant_id","stream_id")
);
--> statement-breakpoint
CREATE TABLE "rm_timeline" (
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"version" bigint NOT NULL,
	"position" bigint NOT NULL,
	"event_type" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"local_time" text,
	"location" text,
	"actor" text,
	"source" text,
	"description" text NOT NULL,
	CONSTRAINT "rm_timeline_tenant_id_stream_id_version_pk" PRIMARY KEY("tenant_id","stream_id","version")
);
--> statement-breakpoint
CREATE TABLE "rm_status_applied" (
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"version" bigint NOT NULL,
	"state" jsonb,
	CONSTRAINT "rm_status_applied_tenant_id_stream_id_pk" PRIMARY KEY("tenant_id","stream_id")
);
--> statement-breakpoint
CREATE TABLE "rm_timeline_applied" (
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"version" bigint NOT NULL,
	"state" jsonb,
	CONSTRAINT "rm_timeline_applied_tenant_id_stream_id_pk" PRIMARY KEY("tenant_id","stream_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_message_uq" ON "dead_letters" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "dead_letters_tenant_idx" ON "dead_letters" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "outbox_stream_idx" ON "outbox" USING btree ("tenant_id","stream_id","to_version");--> statement-breakpoint
CREATE INDEX "rm_manifest_item_idx" ON "rm_manifest" USING btree ("tenant_id","item_type","item_id");--> statement-breakpoint
CREATE INDEX "rm_manifest_uld_idx" ON "rm_manifest" USING btree ("tenant_id","uld_id");--> statement-breakpoint
CREATE INDEX "rm_metric_samples_idx" ON "rm_metric_samples" USING btree ("tenant_id","metric","at");--> statement-breakpoint
CREATE INDEX "rm_status_type_status_idx" ON "rm_status" USING btree ("tenant_id","entity_type","status","updated_at","stream_id");--> statement-breakpoint
CREATE INDEX "rm_status_airport_idx" ON "rm_status" USING btree ("tenant_id","airport","updated_at","stream_id");--> statement-breakpoint
CREATE INDEX "rm_status_flight_idx" ON "rm_status" USING btree ("tenant_id","flight");--> statement-breakpoint
CREATE INDEX "rm_status_updated_idx" ON "rm_status" USING btree ("tenant_id","updated_at","stream_id");--> statement-breakpoint
CREATE INDEX "rm_timeline_order_idx" ON "rm_timeline" USING btree ("tenant_id","stream_id","occurred_at","version");