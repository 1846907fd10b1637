CREATE TABLE "events" (
	"global_position" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_global_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"version" bigint NOT NULL,
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"schema_version" integer NOT NULL,
	"data" jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"location" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"correlation_id" uuid,
	"causation_id" uuid,
	"transaction_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"version" bigint NOT NULL,
	"state_version" integer NOT NULL,
	"state" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "snapshots_tenant_id_stream_id_pk" PRIMARY KEY("tenant_id","stream_id")
);
--> statement-breakpoint
CREATE TABLE "streams" (
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"entity_type" text NOT NULL,
	"version" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retain_until" timestamp with time zone,
	CONSTRAINT "streams_tenant_id_stream_id_pk" PRIMARY KEY("tenant_id","stream_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "events_stream_version_uq" ON "events" USING btree ("tenant_id","stream_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "events_event_id_uq" ON "events" USING btree ("tenant_id","event_id");--> statement-breakpoint
CREATE INDEX "events_global_order_idx" ON "events" USING btree ("transaction_id","global_position");--> statement-breakpoint
CREATE INDEX "events_type_time_idx" ON "events" USING btree ("tenant_id","event_type","occurred_at");