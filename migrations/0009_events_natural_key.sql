-- (tenant, stream, version) becomes the primary key, taking over its unique index as it is (no
-- rebuild), and the index on global_position goes: no query looks an event up by its position, and
-- every append paid for one more index entry. Positions stay unique by their identity sequence.
ALTER TABLE "events" DROP CONSTRAINT "events_pkey";--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_pkey" PRIMARY KEY USING INDEX "events_stream_version_uq";
