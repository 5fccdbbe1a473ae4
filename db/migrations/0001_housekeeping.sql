CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `auth_tokens_used_idx` ON `auth_tokens` (`used_at`);--> statement-breakpoint
CREATE INDEX `auth_tokens_session_idx` ON `auth_tokens` (`session_id`);--> statement-breakpoint
CREATE INDEX `sessions_absolute_expires_idx` ON `sessions` (`absolute_expires_at`);