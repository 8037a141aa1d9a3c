// The one schema drizzle-kit and the app see: every module's tables, re-exported.
export * from '../modules/accounts/schema.js';
export * from '../modules/audit/schema.js';
export * from '../modules/consolidation/schema.js';
export * from '../modules/departments/schema.js';
export * from '../modules/mail/schema.js';
export * from '../modules/participation/schema.js';
export * from '../modules/plans/schema.js';
export * from '../modules/ratelimit/schema.js';
export * from '../modules/settings/schema.js';
