CREATE TABLE `provider_identities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`provider` text NOT NULL,
	`subject` text NOT NULL,
	`email` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer NOT NULL,
	`access_token` blob,
	`refresh_token` blob,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `provider_identities_subject_unique` ON `provider_identities` (`provider`,`subject`);--> statement-breakpoint
CREATE INDEX `provider_identities_user_idx` ON `provider_identities` (`user_id`);