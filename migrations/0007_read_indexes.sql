DROP INDEX "events_type_time_idx";--> statement-breakpoint
CREATE INDEX "rm_status_location_idx" ON "rm_status" USING btree ("tenant_id","location" text_pattern_ops);